import type { Command } from 'commander';

/** Registers this area's commands on the root program. */
export function registerServeCommands(program: Command): void {
  void program;
}
