import { InvalidArgumentError, type Command } from 'commander';
import { action, commandConfig } from '../core/cli/command.ts';
import { runIndexCommand, type IndexCommandOptions } from './patterns/index-command.ts';

/** Registers `almanac index`. */
export function registerIndexCommands(program: Command): void {
  program
    .command('index')
    .description('Mine success patterns from the latest training set with the champion model and index them (new collection, then alias switch)')
    .option('--min-clients <k>', 'k-anonymity: distinct clients needed before a cross-client pattern is shown (default: config patterns.minClients)', integer(1))
    .option('--patterns <n>', 'number of cross-client patterns (k-means clusters; default ≈ √configurations, 2..64)', integer(1))
    .option('--training-set <dir>', 'training set folder (default: <home>/training-sets/LATEST)')
    .option('--seed <n>', 'clustering seed', integer(0))
    .option('--json', 'print the result as one JSON line')
    .action(
      action(async (opts: IndexCommandOptions, cmd: Command) => {
        await runIndexCommand(commandConfig(cmd), opts);
      }),
    );
}

/** Parses an integer option ≥ min; commander reports a bad value as one line and exit code 2. */
function integer(min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer ≥ ${min}.`);
    return n;
  };
}
