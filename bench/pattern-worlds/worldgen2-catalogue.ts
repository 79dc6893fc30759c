/**
 * The vocabulary of worldgen2, deliberately unlike the simulator's (other industries, offers, creatives,
 * segments and audience attributes, other cardinalities). Channels and objectives are the domain's own.
 */
export const INDUSTRIES = ['saas', 'retail', 'travel', 'education', 'banking', 'gaming', 'health', 'logistics'] as const;
export const OFFERS = ['discount', 'loyalty_points', 'free_trial', 'bundle', 'cashback', 'gift_card'] as const;
export const CREATIVES = ['hero_image', 'ugc_video', 'testimonial', 'carousel', 'plain_text'] as const;
export const SEGMENTS = ['loyal', 'new_customers', 'lapsed', 'high_value', 'bargain', 'churn_risk', 'browsers'] as const;
export const AGE_BANDS = ['18-24', '25-34', '35-49', '50-64', '65+'] as const;
export const DEVICES = ['mobile', 'desktop', 'tablet'] as const;
export const REGIONS = ['north', 'south', 'east', 'west', 'central', 'overseas'] as const;

/**
 * Confounders: high-base clients use these channels/offers far more often than low-base clients (weight
 * e^(CONFOUNDING·z), z ∈ [0, 1] the client's place on the base-rate scale; the others weigh e^(CONFOUNDING/2)),
 * low-base clients the "LOW" ones (e^(CONFOUNDING·(1 − z))). None has an effect within a client, so they only
 * look good (or bad) in raw rates.
 */
export const CONFOUNDING = 4;
export const HIGH_BASE_CHANNELS: readonly string[] = ['search', 'email'];
export const LOW_BASE_CHANNELS: readonly string[] = ['display'];
export const HIGH_BASE_OFFERS: readonly string[] = ['cashback'];
export const LOW_BASE_OFFERS: readonly string[] = ['gift_card'];

/** Client base conversion rates span MIN_BASE_RATE × [1, BASE_RATE_SPREAD] (log-uniform). */
export const MIN_BASE_RATE = 0.01;
export const BASE_RATE_SPREAD = 4;

export const LIFT = { planted: 2, singleClient: 5, anti: 0.4, noise: 1.5 } as const;
export const PLANTED_COUNT = 6;
export const ANTI_COUNT = 2;
export const NOISE_COUNT = 4;
/** Share of a pattern campaign's touches aimed at the pattern's segment. */
export const TARGET_SHARE = { planted: 0.6, singleClient: 0.6, noise: 0.5, decoy: 0.5 } as const;
/** Touch-volume multiplier of planted and anti campaigns (scaled-up campaigns). */
export const PATTERN_VOLUME = 3;
export const CAMPAIGNS_PER_CLIENT = 6;
export const DAYS = 60;
/** Minimum touches of the single-client pattern's segment. */
export const SINGLE_CLIENT_MIN_TOUCHES = 450;
/** Touches of a noise campaign (a small sample): uniform in this range. */
export const NOISE_TOUCHES: readonly [number, number] = [60, 160];
