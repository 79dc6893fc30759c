/** `almanac models list|promote|rollback|register`. */
import type { Command } from 'commander';
import { action, commandConfig } from '../../core/cli/command.ts';
import { createModelRegistry } from '../registry/create-model-registry.ts';
import type { ModelVersion } from '../registry/model-registry.ts';
import { registerExternalModel } from '../registry/register-external.ts';
import { fmt, gateOptions, versionArgument } from './cli-options.ts';
import { leaderboardLines } from './leaderboard-table.ts';

const out = (text: string): void => { process.stdout.write(`${text}\n`); };

function versionLine(v: ModelVersion): string {
  const aliases = v.aliases.length ? v.aliases.join(',') : '-';
  const m = v.metrics;
  const range = v.lineage.origin === 'external' ? 'external' : `${v.lineage.trainingSetId} [${new Date(v.lineage.trainingRange.from).toISOString().slice(0, 10)}..${new Date(v.lineage.trainingRange.to).toISOString().slice(0, 10)}]`;
  return [String(v.version).padStart(3), v.name.padEnd(14), (v.metrics.family ?? '-').padEnd(8), aliases.padEnd(20), fmt(m.roc_auc), fmt(m.pr_auc), fmt(m.log_loss), fmt(m.baseline?.roc_auc).padEnd(9), v.lineage.codeVersion.padEnd(22), range].join('  ');
}

/** The JSON of one version in `models list --json`. */
export function versionJson(v: ModelVersion): Record<string, unknown> {
  return { ...v, metrics: { ...v.metrics } };
}

function registerList(models: Command): void {
  models.command('list').description('List registered model versions with holdout metrics (roc_auc, pr_auc, log_loss), aliases and lineage')
    .option('--json', 'print JSON (every version with metrics, signature, lineage, aliases)')
    .action(action(async (flags: { json?: boolean }, cmd: Command) => {
      const registry = await createModelRegistry(commandConfig(cmd));
      const versions = await registry.list();
      if (flags.json) return out(JSON.stringify({ versions: versions.map(versionJson), revision: await registry.revision() }));
      if (versions.length === 0) return out('no model versions registered; train one with `almanac train`');
      out(['ver', 'name'.padEnd(14), 'family'.padEnd(8), 'aliases'.padEnd(20), 'roc_auc', 'pr_auc', 'log_loss', 'base_auc'.padEnd(9), 'code'.padEnd(22), 'training set'].join('  '));
      for (const v of versions) out(versionLine(v));
    }));
}

function registerLeaderboard(models: Command): void {
  models.command('leaderboard').description('Show the candidates a training run compared (validation ROC-AUC chose; holdout figures for comparison only), for VERSION or the champion')
    .argument('[version]', 'model version number (default: the champion, else the latest)')
    .option('--json', 'print JSON')
    .action(action(async (versionArg: string | undefined, flags: { json?: boolean }, cmd: Command) => {
      const registry = await createModelRegistry(commandConfig(cmd));
      const v = versionArg !== undefined ? await registry.get(versionArgument(versionArg)) : (await registry.resolve('champion')) ?? (await registry.list()).at(-1);
      if (!v) return out('no model versions registered; train one with `almanac train`');
      const entries = v.metrics.leaderboard ?? [];
      if (flags.json) return out(JSON.stringify({ version: v.version, family: v.metrics.family ?? null, leaderboard: entries }));
      out(`version ${v.version} (${v.metrics.family ?? 'family unknown'}): ${entries.length} candidate${entries.length === 1 ? '' : 's'}`);
      if (entries.length === 0) return out('no leaderboard (a model registered before families were compared, or an external one)');
      for (const line of leaderboardLines(entries)) out(line);
    }));
}

function registerPromote(models: Command): void {
  models.command('promote').description('Make VERSION the champion if it passes the gate: holdout roc_auc ≥ config retrain.minRocAuc and the gate metric not worse than the champion\'s minus the tolerance (exit 2 with ALMANAC_ERR_MODEL_GATE_FAILED otherwise)')
    .argument('<version>', 'model version number')
    .option('--metric <name>', 'gate metric: roc_auc, pr_auc or log_loss (lower is better; default: config retrain.gateMetric)')
    .option('--tolerance <x>', 'how much worse than the champion the challenger may be (default: config retrain.gateTolerance)')
    .option('--force', 'promote even if the gate fails (e.g. a model registered without metrics)')
    .option('--json', 'print JSON')
    .action(action(async (versionArg: string, flags: { metric?: string; tolerance?: string; force?: boolean; json?: boolean }, cmd: Command) => {
      const version = versionArgument(versionArg);
      const gate = gateOptions(flags);
      const registry = await createModelRegistry(commandConfig(cmd));
      const result = await registry.promote(version, { gate, force: flags.force === true });
      if (flags.json) return out(JSON.stringify({ version, ...result }));
      out(`version ${version} is champion${result.previous !== undefined ? ` (was ${result.previous})` : ''}: ${result.reason}`);
    }));
}

function registerRollback(models: Command): void {
  models.command('rollback').description('Point champion back at the previous champion (one step)')
    .option('--json', 'print JSON')
    .action(action(async (flags: { json?: boolean }, cmd: Command) => {
      const registry = await createModelRegistry(commandConfig(cmd));
      const result = await registry.rollback();
      out(flags.json ? JSON.stringify(result) : `champion is version ${result.champion} again (was ${result.previous})`);
    }));
}

function registerExternal(models: Command): void {
  models.command('register').description('Register an ONNX model trained elsewhere; its signature must match the model\'s input/output names and widths')
    .requiredOption('--onnx <file>', 'ONNX model file')
    .requiredOption('--signature <file>', 'InputSignature JSON (features, inputWidth, inputName, outputs, embeddingWidth)')
    .option('--metrics <file>', 'holdout metrics JSON ({roc_auc, pr_auc?, log_loss?, …}); without it the model cannot pass the gate as a challenger unless forced, but as champion it does not block a challenger that passes the floor')
    .option('--name <name>', 'model name', 'external')
    .option('--json', 'print JSON')
    .action(action(async (flags: { onnx: string; signature: string; metrics?: string; name: string; json?: boolean }, cmd: Command) => {
      const v = await registerExternalModel(commandConfig(cmd), { onnx: flags.onnx, signature: flags.signature, name: flags.name, ...(flags.metrics ? { metrics: flags.metrics } : {}) });
      out(flags.json ? JSON.stringify(versionJson(v)) : `registered external model '${v.name}' as version ${v.version}`);
    }));
}

export function registerModelsCommand(program: Command): void {
  const models = program.command('models').description('Model registry: list versions, show a leaderboard, promote, roll back, register external ONNX models');
  registerList(models);
  registerLeaderboard(models);
  registerPromote(models);
  registerRollback(models);
  registerExternal(models);
}
