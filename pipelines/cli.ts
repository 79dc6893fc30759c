import type { Command } from 'commander';
import { registerIngestCommand } from './ingest/ingest-command.ts';
import { registerSimulateCommand } from './simulator/simulate-command.ts';

/** Registers `almanac simulate` and `almanac ingest`. */
export function registerPipelineCommands(program: Command): void {
  registerSimulateCommand(program);
  registerIngestCommand(program);
}
