import type { Command } from 'commander';
import { action, commandConfig, intOption } from '../core/cli/command.ts';
import { runIndexCommand, type IndexCommandOptions } from './patterns/index-command.ts';

/** Registers `almanac index`. */
export function registerIndexCommands(program: Command): void {
  program
    .command('index')
    .description('Mine success patterns and anti-patterns from the latest training set (subgroup discovery, within-client lift, FDR control) and index them (new collection, then alias switch)')
    .option('--min-clients <k>', 'k-anonymity: distinct clients needed before a cross-client pattern is shown (default: config patterns.minClients)', intOption('--min-clients', 1))
    .option('--max-conditions <n>', 'conditions per pattern, 1..4 (default: config patterns.maxConditions)', intOption('--max-conditions', 1, 4))
    .option('--training-set <dir>', 'training set folder (default: <home>/training-sets/LATEST)')
    .option('--seed <n>', 'seed of the configuration encoder\'s projection', intOption('--seed', 0))
    .option('--json', 'print the result as one JSON line')
    .action(
      action(async (opts: IndexCommandOptions, cmd: Command) => {
        await runIndexCommand(commandConfig(cmd), opts);
      }),
    );
}
