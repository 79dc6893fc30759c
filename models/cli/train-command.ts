/** `almanac train`: train + evaluate + export + register (challenger), then try to promote through the gate. */
import type { Command } from 'commander';
import { action, commandConfig, intOption } from '../../core/cli/command.ts';
import { invalidInput, isAlmanacError } from '../../core/errors.ts';
import { MODEL_FAMILIES, type ModelFamily } from '../training/model-family-names.ts';
import { createModelRegistry } from '../registry/create-model-registry.ts';
import { fmt, fractionOption, gateOptions } from './cli-options.ts';
import { leaderboardLines } from './leaderboard-table.ts';

interface TrainFlags {
  trainingSet?: string; epochs: string; seed: string; holdout: string; families: string; metric?: string; tolerance?: string;
  promote: boolean; json?: boolean; quiet?: boolean;
}

/** Promotes through the gate (config retrain.*, overridden by --metric/--tolerance); a rejection is reported, not thrown. */
async function promoteThroughGate(registry: Awaited<ReturnType<typeof createModelRegistry>>, version: number, flags: TrainFlags) {
  if (!flags.promote) return { promoted: false, reason: 'not attempted (--no-promote)' };
  try {
    return await registry.promote(version, { gate: gateOptions(flags) });
  } catch (e) {
    if (isAlmanacError(e) && e.code === 'ALMANAC_ERR_MODEL_GATE_FAILED') return { promoted: false, reason: e.message, decision: e.details?.decision };
    if (isAlmanacError(e) && e.code === 'ALMANAC_ERR_INPUT_CONFLICT') return { promoted: false, reason: e.message };
    throw e;
  }
}

function familiesOption(value: string): ModelFamily[] {
  const names = value.split(',').map((v) => v.trim()).filter((v) => v !== '');
  const bad = names.filter((n) => !MODEL_FAMILIES.includes(n as ModelFamily));
  if (names.length === 0 || bad.length > 0) {
    throw invalidInput(`option --families must list some of ${MODEL_FAMILIES.join(', ')}, got '${value}'`, [{ path: '--families', reason: `comma-separated, each one of ${MODEL_FAMILIES.join(', ')}` }]);
  }
  return [...new Set(names)] as ModelFamily[];
}

export function registerTrainCommand(program: Command): void {
  program.command('train')
    .description('Train logistic regression, an MLP (TF.js) and gradient-boosted trees, keep the best on time-ordered validation, evaluate every candidate on the time-based holdout, export ONNX, register as challenger, then promote through the gate')
    .option('--training-set <dir>', 'training set folder (default: <home>/training-sets/LATEST, else one is built from the feature store)')
    .option('--epochs <n>', 'maximum epochs (early stopping on a time-ordered validation split)', '30')
    .option('--seed <n>', 'random seed (weights, shuffles, dropout)', '42')
    .option('--holdout <fraction>', 'latest fraction of touches held out for evaluation', '0.2')
    .option('--families <list>', `model families to compare, comma-separated (${MODEL_FAMILIES.join(', ')})`, MODEL_FAMILIES.join(','))
    .option('--metric <name>', 'promotion gate metric: roc_auc, pr_auc or log_loss (default: config retrain.gateMetric)')
    .option('--tolerance <x>', 'how much worse than the champion the challenger may be (default: config retrain.gateTolerance)')
    .option('--no-promote', 'register as challenger only')
    .option('--json', 'print the result as JSON')
    .option('--quiet', 'no progress on stderr')
    .action(action(async (flags: TrainFlags, cmd: Command) => {
      const epochs = intOption('--epochs', 1)(flags.epochs);
      const seed = intOption('--seed', 0)(flags.seed);
      const holdout = fractionOption('--holdout', flags.holdout);
      const families = familiesOption(flags.families);
      gateOptions(flags);
      const config = commandConfig(cmd);
      const quiet = flags.quiet === true;
      // Loaded on use: TF.js and DuckDB are heavy, and every other command would pay for them at start-up.
      const { resolveTrainingSet } = await import('../training/resolve-training-set.ts');
      const { trainAndRegister } = await import('../training/train-and-register.ts');
      const { dir, set } = await resolveTrainingSet(config, { ...(flags.trainingSet ? { dir: flags.trainingSet } : {}), quiet });
      const registry = await createModelRegistry(config);
      const { version, metrics, seconds } = await trainAndRegister(config, { trainingSet: set, epochs, seed, holdout, quiet, registry, families });
      const promotion = await promoteThroughGate(registry, version.version, flags);
      const final = await registry.get(version.version);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ version: final.version, aliases: final.aliases, trainingSet: dir, family: metrics.family, metrics, seconds, promotion })}\n`);
        return;
      }
      const b = metrics.baseline;
      process.stdout.write([
        `model version ${final.version} (${final.aliases.join(', ') || 'no alias'}) from training set ${set.manifest.id} (${set.manifest.rows} rows)`,
        `holdout ${metrics.holdout_rows} rows, ${metrics.holdout_positives} positives`,
        `served (${metrics.family ?? '?'})  roc_auc ${fmt(metrics.roc_auc)}  pr_auc ${fmt(metrics.pr_auc)}  log_loss ${fmt(metrics.log_loss)}  (fit ${seconds.served.toFixed(1)} s; selection ${seconds.total.toFixed(1)} s)`,
        `baseline  roc_auc ${fmt(b?.roc_auc)}  pr_auc ${fmt(b?.pr_auc)}  log_loss ${fmt(b?.log_loss)}  (logistic regression)`,
        'leaderboard (validation chose; holdout for comparison only):',
        ...leaderboardLines(metrics.leaderboard ?? []),
        `promotion: ${promotion.promoted ? 'champion' : 'not promoted'} — ${promotion.reason}`,
      ].join('\n') + '\n');
    }));
}
