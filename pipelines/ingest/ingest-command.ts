import type { Command } from 'commander';

export function registerIngestCommand(program: Command): void {
  void program;
}
