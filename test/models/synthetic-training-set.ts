/** A deterministic synthetic TrainingSet for model tests: the label depends on x1, x2 and the channel. */
import type { FeatureColumn, TrainingExample, TrainingSet } from '../../features/training-set.ts';
import { seededRandom } from '../../core/seeded-random.ts';

export const SYNTHETIC_COLUMNS: FeatureColumn[] = [
  { name: 'x1', type: 'numeric', source: 'touch' },
  { name: 'x2', type: 'numeric', source: 'view:client_activity' },
  { name: 'noise', type: 'numeric', source: 'touch' },
  { name: 'channel', type: 'categorical', source: 'campaign' },
  { name: 'segment', type: 'categorical', source: 'touch' },
];

export function syntheticTrainingSet(rows = 2000, seed = 7): TrainingSet {
  const rng = seededRandom((seed >>> 0) ^ 0x9e3779b9);
  const channels = ['email', 'sms', 'display', 'call'];
  const start = Date.UTC(2024, 0, 1);
  const examples: TrainingExample[] = [];
  for (let i = 0; i < rows; i++) {
    const x1 = rng() * 4 - 2;
    const x2 = rng() < 0.1 ? null : rng() * 10;
    const channel = channels[Math.floor(rng() * channels.length)] as string;
    const logit = -1.5 + 1.6 * x1 + 0.25 * ((x2 ?? 5) - 5) + (channel === 'call' ? 1.2 : 0) + x1 * x1 * 0.3;
    const label = rng() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    examples.push({
      touch_id: `t${i}`, client_id: `c${i % 17}`, campaign_id: `k${i % 5}`, ts: start + i * 60_000, label,
      features: { x1, x2, noise: rng(), channel, segment: `s${Math.floor(rng() * 6)}` },
    });
  }
  const positives = examples.filter((e) => e.label === 1).length;
  return {
    manifest: {
      id: `synthetic-${rows}-${seed}`, createdAt: new Date(start).toISOString(),
      range: { from: start, to: start + rows * 60_000 }, rows, positives, attributionWindowMs: 7 * 86_400_000,
      columns: SYNTHETIC_COLUMNS, featureViews: [{ name: 'client_activity', version: 1 }],
      eventLogOffsets: { 'events-0': rows }, file: 'examples.jsonl',
    },
    examples,
  };
}
