/**
 * A synthetic TrainingSet with planted patterns and a fake Scorer whose embedding is a
 * deterministic function of the configuration (standing in for the champion's penultimate layer).
 */
import type { FeatureRecord, TrainingExample, TrainingSet } from '../../../features/training-set.ts';
import type { InputSignature } from '../../../models/registry/model-registry.ts';
import type { Scorer } from '../../../models/inference/scorer.ts';
import { seededRandom } from '../../../core/seeded-random.ts';

export const EMBEDDING_WIDTH = 16;
const INDUSTRIES = ['retail', 'travel'];
const CHANNELS = ['email', 'sms', 'social'];
const SEGMENTS = ['young', 'old'];
const OFFERS = ['discount', 'none'];

/** The planted winner: retail × email × young × discount converts at 40%, everything else at ~3%. */
export const isWinner = (f: FeatureRecord): boolean =>
  f['campaign.industry'] === 'retail' && f['campaign.channel'] === 'email' && f['audience.segment'] === 'young' && f['campaign.offer'] === 'discount';

/**
 * Six clients c0..c5 run every retail/travel configuration; only c0 and c1 also run the 'niche'
 * industry (a pattern backed by 2 clients).
 */
export function syntheticTrainingSet(seed = 1, touchesPerCell = 12, extra: TrainingExample[] = []): TrainingSet {
  const random = seededRandom(seed);
  const examples: TrainingExample[] = [];
  let t = 0;
  const add = (client: string, features: FeatureRecord, rate: number) => {
    const campaign = `${client}-${features['campaign.industry']}-${features['campaign.channel']}`;
    examples.push({ touch_id: `t${t}`, client_id: client, campaign_id: campaign, ts: 1_700_000_000_000 + t++ * 1000, label: random() < rate ? 1 : 0, features });
  };
  for (let c = 0; c < 6; c++) {
    for (const industry of INDUSTRIES) for (const channel of CHANNELS) for (const segment of SEGMENTS) for (const offer of OFFERS) {
      const f: FeatureRecord = { 'campaign.industry': industry, 'campaign.channel': channel, 'audience.segment': segment, 'campaign.offer': offer, 'campaign.budget': 1000 + c };
      for (let i = 0; i < touchesPerCell; i++) add(`c${c}`, { ...f }, isWinner(f) ? 0.4 : 0.03);
    }
  }
  for (const client of ['c0', 'c1']) {
    const f: FeatureRecord = { 'campaign.industry': 'niche', 'campaign.channel': 'sms', 'audience.segment': 'old', 'campaign.offer': 'none', 'campaign.budget': 5 };
    for (let i = 0; i < 30; i++) add(client, { ...f }, 0.2);
  }
  examples.push(...extra);
  examples.sort((a, b) => a.ts - b.ts);
  const positives = examples.reduce((s, e) => s + e.label, 0);
  return {
    manifest: {
      id: `synthetic-${seed}`,
      createdAt: new Date(0).toISOString(),
      range: { from: examples[0]!.ts, to: examples.at(-1)!.ts + 1 },
      rows: examples.length,
      positives,
      attributionWindowMs: 86_400_000,
      columns: [
        { name: 'campaign.industry', type: 'categorical', source: 'campaign' },
        { name: 'campaign.channel', type: 'categorical', source: 'campaign' },
        { name: 'audience.segment', type: 'categorical', source: 'touch' },
        { name: 'campaign.offer', type: 'categorical', source: 'campaign' },
        { name: 'campaign.budget', type: 'numeric', source: 'campaign' },
      ],
      featureViews: [],
      eventLogOffsets: {},
      file: 'examples.jsonl',
    },
    examples,
  };
}

const SLOTS = ['retail', 'travel', 'niche', ...CHANNELS, ...SEGMENTS, ...OFFERS];

/**
 * Embedding of a feature record, as a trained network would place it: one axis per categorical
 * value, plus strong axes for what drives success (the winner) and for the distinct niche industry.
 */
export function fakeEmbedding(f: FeatureRecord): Float32Array {
  const e = new Float32Array(EMBEDDING_WIDTH);
  for (const name of ['campaign.industry', 'campaign.channel', 'audience.segment', 'campaign.offer']) {
    const slot = SLOTS.indexOf(String(f[name]));
    if (slot >= 0) e[2 + slot] = 1;
  }
  if (isWinner(f)) e[0] = 6;
  if (f['campaign.industry'] === 'niche') e[1] = 6;
  return e;
}

export function fakeScorer(version = 7): Scorer & { embedded: number } {
  const signature = { features: [], inputWidth: 0, inputName: 'x', outputs: { probability: 'p', embedding: 'e' }, embeddingWidth: EMBEDDING_WIDTH } satisfies InputSignature;
  const scorer = {
    version,
    signature,
    embedded: 0,
    async predict(records: FeatureRecord[]) {
      return Float32Array.from(records, (r) => (isWinner(r) ? 0.4 : 0.03));
    },
    async embed(records: FeatureRecord[]) {
      scorer.embedded += records.length;
      return records.map(fakeEmbedding);
    },
    async close() {},
  };
  return scorer;
}

/** `count` touches of one client and campaign with `features`, converting at `rate` (seeded). */
export function touchesOf(client: string, campaign: string, features: FeatureRecord, count: number, rate: number, seed = 9): TrainingExample[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    touch_id: `${campaign}-x${i}`, client_id: client, campaign_id: campaign, ts: 1_700_000_000_000 + i * 997, label: random() < rate ? 1 as const : 0 as const, features: { ...features },
  }));
}
