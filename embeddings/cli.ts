import type { Command } from 'commander';

/** Registers this area's commands on the root program. */
export function registerIndexCommands(program: Command): void {
  void program;
}
