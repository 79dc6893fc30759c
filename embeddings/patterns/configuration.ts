/**
 * Campaign/touch configurations: the categorical choices a planner makes (industry × channel ×
 * objective × segment × offer × creative). Training examples are grouped by configuration; each
 * configuration keeps its touches, conversions, clients, campaigns and a few sample feature
 * records to embed with the champion model.
 */
import type { FeatureRecord, TrainingExample, TrainingSet } from '../../features/training-set.ts';
import { seededRandom } from '../../core/seeded-random.ts';

export type ConfigurationRole = 'industry' | 'channel' | 'objective' | 'segment' | 'offer' | 'creative';

/** For each role, the feature names it may come from, in order of preference (the first present wins). */
export const ROLE_FEATURES: Record<ConfigurationRole, string[]> = {
  industry: ['campaign.industry', 'industry'],
  channel: ['campaign.channel', 'touch.channel', 'channel'],
  objective: ['campaign.objective', 'objective'],
  segment: ['audience.segment', 'touch.segment', 'segment'],
  offer: ['campaign.offer', 'campaign.attributes.offer', 'campaign.attr.offer', 'touch.offer', 'offer'],
  creative: ['campaign.creative', 'campaign.attributes.creative', 'campaign.attr.creative', 'touch.creative', 'creative'],
};

export const ROLES = Object.keys(ROLE_FEATURES) as ConfigurationRole[];

export interface CampaignTally {
  client: string;
  industry: string | undefined;
  touches: number;
  conversions: number;
}

export interface Configuration {
  key: string;
  values: Partial<Record<ConfigurationRole, string>>;
  touches: number;
  conversions: number;
  /** client_id → touches/conversions of that client in this configuration. */
  clients: Map<string, { touches: number; conversions: number }>;
  /** campaign_id → tally. */
  campaigns: Map<string, CampaignTally>;
  /** Up to `samplesPerConfiguration` feature records (reservoir sample, seeded). */
  samples: FeatureRecord[];
}

/** The feature name used for each role that the training set carries as a categorical value. */
export function detectRoleFeatures(set: TrainingSet): Partial<Record<ConfigurationRole, string>> {
  const categorical = new Set(set.manifest.columns.filter((c) => c.type === 'categorical').map((c) => c.name));
  const probe = set.examples.slice(0, 200);
  const present = (name: string) => categorical.has(name) || probe.some((e) => typeof e.features[name] === 'string');
  const out: Partial<Record<ConfigurationRole, string>> = {};
  for (const role of ROLES) {
    const name = ROLE_FEATURES[role].find(present);
    if (name !== undefined) out[role] = name;
  }
  return out;
}

export function groupConfigurations(
  examples: TrainingExample[],
  roleFeatures: Partial<Record<ConfigurationRole, string>>,
  options: { samplesPerConfiguration: number; seed: number },
): Configuration[] {
  const random = seededRandom(options.seed);
  const byKey = new Map<string, Configuration>();
  const roles = ROLES.filter((r) => roleFeatures[r] !== undefined);
  for (const ex of examples) {
    const values: Partial<Record<ConfigurationRole, string>> = {};
    for (const role of roles) values[role] = valueOf(ex.features[roleFeatures[role] as string]);
    const key = roles.map((r) => `${r}=${values[r]}`).join('|');
    let conf = byKey.get(key);
    if (conf === undefined) {
      conf = { key, values, touches: 0, conversions: 0, clients: new Map(), campaigns: new Map(), samples: [] };
      byKey.set(key, conf);
    }
    addExample(conf, ex, random, options.samplesPerConfiguration);
  }
  return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function valueOf(v: FeatureRecord[string] | undefined): string {
  return v === null || v === undefined || v === '' ? '(none)' : String(v);
}

function addExample(conf: Configuration, ex: TrainingExample, random: () => number, cap: number): void {
  conf.touches++;
  conf.conversions += ex.label;
  const client = conf.clients.get(ex.client_id) ?? { touches: 0, conversions: 0 };
  client.touches++;
  client.conversions += ex.label;
  conf.clients.set(ex.client_id, client);
  const campaign = conf.campaigns.get(ex.campaign_id) ?? { client: ex.client_id, industry: conf.values.industry, touches: 0, conversions: 0 };
  campaign.touches++;
  campaign.conversions += ex.label;
  conf.campaigns.set(ex.campaign_id, campaign);
  if (conf.samples.length < cap) conf.samples.push(ex.features);
  else {
    const j = Math.floor(random() * conf.touches);
    if (j < cap) conf.samples[j] = ex.features;
  }
}
