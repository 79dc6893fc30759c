/**
 * The configuration encoder: places patterns and plans in one vector space, so stage 1 of pattern
 * search is an ANN over pattern vectors. A configuration (a set of conditions `key=value`) maps to
 * the normalised sum of its conditions' vectors; each condition's vector has two parts:
 *
 * - identity (IDENTITY_DIMS): a fixed pseudo-random ±1 code from the condition's text (feature
 *   hashing), near-orthogonal across conditions, so the cosine of two configurations follows the
 *   share of conditions they have in common — a plan that IS a pattern is its nearest vector;
 * - learned (LEARNED_DIMS): fitted on the training set at index time: a random projection of the
 *   condition's interaction profile (its log-lift together with every other condition, from the
 *   miner's pair tallies). Conditions that behave alike (two offers that lift the same segments)
 *   get close vectors, so a plan with a similar — not only the same — configuration finds the
 *   pattern.
 *
 * The fitted part is stored with the pattern catalogue of its index build and used at query time;
 * it does not depend on the model family that wins training.
 */
import { fnv1a32 } from '../../core/stable-hash.ts';
import { seededRandom } from '../../core/seeded-random.ts';
import { conditionText } from './configuration.ts';

export const IDENTITY_DIMS = 56;
export const LEARNED_DIMS = 8;
export const ENCODER_DIMS = IDENTITY_DIMS + LEARNED_DIMS;
/** Weight of the learned part against the identity part. */
const LEARNED_WEIGHT = 0.5;

export interface ConfigurationEncoderState {
  kind: 'configuration-encoder';
  version: 1;
  dims: number;
  /** condition text (`key=value`) → its learned part (LEARNED_DIMS numbers, unit length or zero). */
  learned: Record<string, number[]>;
}

export interface ConditionTally {
  key: string;
  value: string;
  touches: number;
  conversions: number;
}

/**
 * Fits the learned part: for each condition c, the profile over conditions c' of
 * ln((y_cc' + ½)/(n_cc' + 1)) − ln((y_c + ½)/(n_c + 1)) (0 where they never co-occur), centred,
 * then projected to LEARNED_DIMS by a seeded Gaussian matrix and normalised.
 */
export function fitConfigurationEncoder(
  vocabulary: readonly ConditionTally[],
  pairTally: (a: ConditionTally, b: ConditionTally) => { touches: number; conversions: number } | undefined,
  seed = 7,
): ConfigurationEncoderState {
  const random = seededRandom(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(1e-12, random()))) * Math.cos(2 * Math.PI * random());
  const m = vocabulary.length;
  const projection = Array.from({ length: m }, () => Array.from({ length: LEARNED_DIMS }, gauss));
  const learned: Record<string, number[]> = {};
  for (const c of vocabulary) {
    const own = Math.log((c.conversions + 0.5) / (c.touches + 1));
    const profile = new Float64Array(m);
    let sum = 0;
    let count = 0;
    vocabulary.forEach((other, j) => {
      if (other.key === c.key) return;
      const t = pairTally(c, other);
      if (t === undefined || t.touches === 0) return;
      profile[j] = Math.log((t.conversions + 0.5) / (t.touches + 1)) - own;
      sum += profile[j] as number;
      count++;
    });
    const mean = count > 0 ? sum / count : 0;
    const v = new Array<number>(LEARNED_DIMS).fill(0);
    for (let j = 0; j < m; j++) {
      if (profile[j] === 0) continue;
      const x = (profile[j] as number) - mean;
      const row = projection[j] as number[];
      for (let d = 0; d < LEARNED_DIMS; d++) v[d] = (v[d] as number) + x * (row[d] as number);
    }
    learned[conditionText(c.key, c.value)] = unit(v);
  }
  return { kind: 'configuration-encoder', version: 1, dims: ENCODER_DIMS, learned };
}

/** The ±1/√d identity code of a condition (deterministic from its text). */
export function identityCode(text: string): number[] {
  const random = seededRandom(fnv1a32(text));
  const scale = 1 / Math.sqrt(IDENTITY_DIMS);
  return Array.from({ length: IDENTITY_DIMS }, () => (random() < 0.5 ? -scale : scale));
}

/** A configuration's vector: the normalised sum of its conditions' vectors (zero when it has none). */
export function encodeConfiguration(state: ConfigurationEncoderState, conditions: Record<string, string>): number[] {
  const v = new Array<number>(ENCODER_DIMS).fill(0);
  for (const [key, value] of Object.entries(conditions)) addCondition(state, v, conditionText(key, value));
  return unit(v);
}

/** The mean of several configurations' vectors (a plan with several audience entries), normalised. */
export function encodeConfigurations(state: ConfigurationEncoderState, configurations: Record<string, string>[]): number[] {
  const v = new Array<number>(ENCODER_DIMS).fill(0);
  for (const c of configurations) {
    const one = encodeConfiguration(state, c);
    for (let d = 0; d < ENCODER_DIMS; d++) v[d] = (v[d] as number) + (one[d] as number);
  }
  return unit(v);
}

/**
 * The vectors of an encoder's vocabulary conditions (identity code, then LEARNED_WEIGHT × the
 * learned part), filled as they are first used: a plan's conditions are encoded with no pseudo-
 * random draws. Only vocabulary texts are kept (bounded by the build; a plan's unknown values are
 * coded on the fly). A state is never changed once fitted; a new build is a new state.
 */
const vocabularyVectors = new WeakMap<ConfigurationEncoderState, Map<string, Float64Array>>();

function conditionVector(state: ConfigurationEncoderState, text: string, learned: number[]): Float64Array {
  let held = vocabularyVectors.get(state);
  if (held === undefined) vocabularyVectors.set(state, (held = new Map()));
  let c = held.get(text);
  if (c === undefined) {
    c = new Float64Array(ENCODER_DIMS);
    c.set(identityCode(text));
    for (let d = 0; d < LEARNED_DIMS; d++) c[IDENTITY_DIMS + d] = LEARNED_WEIGHT * (learned[d] as number);
    held.set(text, c);
  }
  return c;
}

function addCondition(state: ConfigurationEncoderState, v: number[], text: string): void {
  const learned = state.learned[text];
  if (learned === undefined) {
    const id = identityCode(text);
    for (let d = 0; d < IDENTITY_DIMS; d++) v[d] = (v[d] as number) + (id[d] as number);
    return;
  }
  const c = conditionVector(state, text, learned);
  for (let d = 0; d < ENCODER_DIMS; d++) v[d] = (v[d] as number) + (c[d] as number);
}

function unit(v: number[]): number[] {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  return n > 0 ? v.map((x) => x / n) : v;
}

/** Cosine similarity of two vectors; 0 when either is all zeros or their widths differ. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Ochiai overlap of two condition sets: |A ∩ B| / √(|A|·|B|) (1 = the same configuration). */
export function conditionOverlap(a: Record<string, string>, b: Record<string, string>, bSize = keyCount(b)): { shared: number; overlap: number; contained: boolean } {
  // counted in place, no key arrays: the search route runs this for every candidate and configuration
  let aSize = 0;
  let shared = 0;
  for (const k in a) {
    aSize++;
    const v = b[k];
    if (v !== undefined && v === a[k]) shared++;
  }
  const overlap = aSize > 0 && bSize > 0 ? shared / Math.sqrt(aSize * bSize) : 0;
  return { shared, overlap, contained: aSize > 0 && shared === aSize };
}

/** Own enumerable keys of a plain record (conditions and configurations are JSON-born, no prototype keys). */
export function keyCount(r: Record<string, string>): number {
  let n = 0;
  for (const _ in r) n++;
  return n;
}
