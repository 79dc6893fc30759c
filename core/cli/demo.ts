import type { Command } from 'commander';

/** Registers `almanac demo`. */
export function registerDemoCommand(program: Command): void {
  void program;
}
