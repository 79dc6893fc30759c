import type { Command } from 'commander';

/** Registers this area's commands on the root program. */
export function registerFeatureCommands(program: Command): void {
  void program;
}
