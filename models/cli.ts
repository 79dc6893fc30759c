import type { Command } from 'commander';
import { registerModelsCommand } from './cli/models-command.ts';
import { registerTrainCommand } from './cli/train-command.ts';

/** Registers `almanac train` and `almanac models list|promote|rollback|register`. */
export function registerModelCommands(program: Command): void {
  registerTrainCommand(program);
  registerModelsCommand(program);
}
