/**
 * The embedded ModelRegistry, on disk under `<home>/registry`:
 *   versions/<n>/model.onnx + metadata.json   — written to a staging folder, then renamed in
 *   aliases.json                               — champion, challenger, previous champion, revision
 *   .lock                                      — held while registering or changing aliases (core/lock-file)
 * Every change is an atomic rename, so a serving process sees the old or the new state; a
 * promotion is judged by the gate and switched under the lock, so two cannot interleave.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { homePath, type AlmanacConfig } from '../../../core/config.ts';
import { AlmanacError, notFound } from '../../../core/errors.ts';
import type { ChallengerVerdict, GateDecision, ModelAlias, ModelMetrics, ModelRegistry, ModelVersion, PromoteResult, PromotionGate } from '../model-registry.ts';
import { gateFromConfig, judgePromotion } from '../promotion-gate.ts';
import { readJson, withLock, writeFileAtomic } from './registry-files.ts';

interface AliasState { revision: number; champion?: number; challenger?: number; previousChampion?: number; updatedAt?: string }

type StoredVersion = Omit<ModelVersion, 'aliases' | 'onnxPath'> & { onnxSha256: string };

const METRIC_KEYS = ['roc_auc', 'pr_auc', 'log_loss'] as const;

/** JSON stores NaN (unknown metric) as null; read it back as NaN. */
function reviveMetrics(m: ModelMetrics): ModelMetrics {
  const out = { ...m };
  for (const k of METRIC_KEYS) if (typeof out[k] !== 'number') out[k] = Number.NaN;
  return out;
}

/** Why `value` is not an AliasState, or undefined when it is one. */
function aliasStateProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
  const v = value as Record<string, unknown>;
  if (!Number.isInteger(v.revision) || (v.revision as number) < 0) return `has no valid "revision" (got ${JSON.stringify(v.revision) ?? 'nothing'})`;
  for (const k of ['champion', 'challenger', 'previousChampion'] as const) {
    if (v[k] !== undefined && !(Number.isInteger(v[k]) && (v[k] as number) > 0)) return `has an invalid "${k}" (got ${JSON.stringify(v[k])}; a version number ≥ 1)`;
  }
  return undefined;
}

export function createEmbeddedModelRegistry(config: AlmanacConfig): ModelRegistry {
  const root = homePath(config, 'registry');
  const versionsDir = path.join(root, 'versions');
  const aliasFile = path.join(root, 'aliases.json');

  /**
   * The alias state; a missing file is "no aliases yet". A file that is not valid JSON or not an
   * alias state is refused naming the file and the fix: serving versions without a champion would
   * hide the fault, and a later alias change must not overwrite the pointer it may still hold.
   * @throws ALMANAC_ERR_REGISTRY_CORRUPT
   */
  const readAliases = async (): Promise<AliasState> => {
    const shown = path.relative(config.home, aliasFile) || aliasFile;
    const corrupt = (reason: string, cause?: unknown) => new AlmanacError('ALMANAC_ERR_REGISTRY_CORRUPT',
      `registry alias file ${shown} (in the home ${config.home}) ${reason}; restore it from a backup, or delete it and set the champion again with \`almanac models promote VERSION --force\``,
      { cause, details: { file: shown } });
    let state: unknown;
    try {
      state = await readJson<unknown>(aliasFile);
    } catch (e) {
      throw corrupt('is not valid JSON', e);
    }
    if (state === undefined) return { revision: 0 };
    const problem = aliasStateProblem(state);
    if (problem) throw corrupt(problem);
    return state as AliasState;
  };
  const aliasesOf = (state: AliasState, version: number): ModelAlias[] => {
    const out: ModelAlias[] = [];
    if (state.champion === version) out.push('champion');
    if (state.challenger === version) out.push('challenger');
    return out;
  };
  const versionNumbers = async (): Promise<number[]> => {
    const names = await readdir(versionsDir).catch(() => [] as string[]);
    return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  };
  const readStored = async (version: number): Promise<StoredVersion | undefined> => readJson<StoredVersion>(path.join(versionsDir, String(version), 'metadata.json'));
  const toVersion = (stored: StoredVersion, state: AliasState): ModelVersion => ({
    ...stored,
    metrics: reviveMetrics(stored.metrics),
    onnxPath: path.join(versionsDir, String(stored.version), 'model.onnx'),
    aliases: aliasesOf(state, stored.version),
  });
  const getStored = async (version: number): Promise<StoredVersion> => {
    const stored = Number.isInteger(version) && version > 0 ? await readStored(version) : undefined;
    if (!stored) throw notFound('model version', String(version));
    return stored;
  };
  const changeAliases = (change: (state: AliasState) => Promise<AliasState> | AliasState): Promise<AliasState> =>
    withLock(root, async () => {
      const next = await change(await readAliases());
      const written = { ...next, revision: next.revision + 1, updatedAt: new Date().toISOString() };
      await writeFileAtomic(aliasFile, `${JSON.stringify(written, null, 2)}\n`);
      return written;
    });

  async function findIdentical(sha: string, input: Parameters<ModelRegistry['register']>[0]): Promise<number | undefined> {
    for (const v of await versionNumbers()) {
      const s = await readStored(v);
      if (s?.onnxSha256 === sha && s.name === input.name && JSON.stringify(s.signature) === JSON.stringify(input.signature)) return v;
    }
    return undefined;
  }

  /** The gate's decision for `version` against `champion`: a verdict judged with the same gate against that same champion is kept, otherwise judged here. */
  async function decide(version: number, candidate: StoredVersion, champion: number | undefined, gate: PromotionGate, verdict?: ChallengerVerdict): Promise<GateDecision> {
    const sameGate = (g: PromotionGate) => g.metric === gate.metric && g.tolerance === gate.tolerance && g.minRocAuc === gate.minRocAuc;
    if (verdict && verdict.version === version && verdict.championVersion === champion && sameGate(verdict.gate)) return verdict;
    const against = champion === undefined ? undefined : reviveMetrics((await getStored(champion)).metrics);
    return judgePromotion(reviveMetrics(candidate.metrics), against, gate);
  }

  const registry: ModelRegistry = {
    async init() {
      await mkdir(versionsDir, { recursive: true });
    },

    async register(input) {
      const bytes = await readFile(input.onnxFile).catch((e: unknown) => {
        throw new AlmanacError('ALMANAC_ERR_INPUT_NOT_FOUND', `ONNX file ${input.onnxFile} cannot be read: ${(e as Error).message}`, { cause: e });
      });
      const sha = createHash('sha256').update(bytes).digest('hex');
      await mkdir(versionsDir, { recursive: true });
      return withLock(root, async () => {
        const same = await findIdentical(sha, input);
        if (same !== undefined) return registry.get(same);
        const version = ((await versionNumbers()).at(-1) ?? 0) + 1;
        const staging = path.join(root, `.staging-${randomBytes(6).toString('hex')}`);
        await mkdir(staging, { recursive: true });
        const stored: StoredVersion = {
          version, name: input.name, createdAt: new Date().toISOString(),
          metrics: input.metrics, signature: input.signature, lineage: input.lineage, onnxSha256: sha,
        };
        try {
          await writeFile(path.join(staging, 'model.onnx'), bytes);
          await writeFile(path.join(staging, 'metadata.json'), `${JSON.stringify(stored, null, 2)}\n`);
          await rename(staging, path.join(versionsDir, String(version)));
        } catch (e) {
          await rm(staging, { recursive: true, force: true });
          throw e;
        }
        return toVersion(stored, await readAliases());
      });
    },

    async list() {
      const state = await readAliases();
      const out: ModelVersion[] = [];
      for (const v of await versionNumbers()) {
        const stored = await readStored(v);
        if (stored) out.push(toVersion(stored, state));
      }
      return out;
    },

    async get(version) {
      const stored = await getStored(version);
      return toVersion(stored, await readAliases());
    },

    async resolve(alias) {
      const state = await readAliases();
      const v = state[alias];
      return v === undefined ? undefined : toVersion(await getStored(v), state);
    },

    async setAlias(alias, version) {
      await getStored(version);
      await changeAliases((s) => ({ ...s, [alias]: version }));
    },

    async promote(version, options = {}) {
      const candidate = await getStored(version);
      const gate = gateFromConfig(config, options.gate);
      let result: PromoteResult | undefined;
      await changeAliases(async (state) => {
        if (state.champion === version) {
          throw new AlmanacError('ALMANAC_ERR_INPUT_CONFLICT', `model version ${version} is already champion`, { details: { version } });
        }
        const decision = await decide(version, candidate, state.champion, gate, options.verdict);
        if (!decision.passed && !options.force) {
          throw new AlmanacError('ALMANAC_ERR_MODEL_GATE_FAILED', `promotion of version ${version} rejected: ${decision.reason}${state.champion === undefined ? '' : ` (champion: version ${state.champion})`}; use --force to override`, {
            details: { version, champion: state.champion, decision },
          });
        }
        const reason = decision.passed ? decision.reason : `forced: ${decision.reason}`;
        result = { promoted: true, ...(state.champion === undefined ? {} : { previous: state.champion }), reason, decision };
        const next: AliasState = { ...state, champion: version, previousChampion: state.champion };
        if (next.challenger === version) delete next.challenger;
        if (next.previousChampion === undefined) delete next.previousChampion;
        return next;
      });
      return result as PromoteResult;
    },

    async rollback() {
      let out = { champion: 0, previous: 0 };
      await changeAliases((state) => {
        if (state.previousChampion === undefined || state.champion === undefined) {
          throw new AlmanacError('ALMANAC_ERR_INPUT_CONFLICT', 'no previous champion to roll back to (rollback is one step, after a promotion)');
        }
        out = { champion: state.previousChampion, previous: state.champion };
        const next: AliasState = { ...state, champion: state.previousChampion };
        delete next.previousChampion;
        return next;
      });
      return out;
    },

    async revision() {
      return String((await readAliases()).revision);
    },
  };
  return registry;
}
