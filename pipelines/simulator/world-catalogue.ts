/**
 * The vocabulary of the simulated world: industries, regions, audience segments, offers,
 * creatives, and the mild (non-planted) effects each has on conversion.
 */
import type { CHANNELS } from '../../core/domain/campaign.ts';

export type Channel = (typeof CHANNELS)[number];

export const INDUSTRIES = ['retail', 'travel', 'finance', 'telecom', 'education', 'healthcare', 'automotive', 'media', 'insurance', 'hospitality'] as const;
export const REGIONS = ['emea', 'north_america', 'latam', 'apac'] as const;
export const SEGMENTS = ['young_urban', 'families', 'seniors', 'students', 'professionals', 'bargain_hunters', 'luxury_seekers', 'rural'] as const;
export const OFFERS = ['discount', 'free_shipping', 'trial', 'bundle', 'loyalty_points', 'none'] as const;
export const CREATIVES = ['video', 'carousel', 'static', 'text'] as const;
export const DEVICES = ['mobile', 'desktop', 'tablet'] as const;
export const AGE_BANDS = ['18-24', '25-34', '35-44', '45-54', '55-64', '65+'] as const;
export const LANGUAGES = ['en', 'es', 'de', 'fr', 'pt'] as const;

export type Industry = (typeof INDUSTRIES)[number];
export type Segment = (typeof SEGMENTS)[number];
export type Offer = (typeof OFFERS)[number];
export type Creative = (typeof CREATIVES)[number];

/** Relative conversion multiplier of each channel outside planted patterns. */
export const CHANNEL_EFFECT: Record<Channel, number> = {
  email: 1.1, display: 0.7, social: 0.9, search: 1.35, phone: 1.2, sms: 1.0, push: 0.85, direct_mail: 0.95, video: 0.8,
};

/** Probability of a click (without conversion) per touch, by channel. */
export const CLICK_RATE: Record<Channel, number> = {
  email: 0.05, display: 0.012, social: 0.025, search: 0.08, phone: 0.03, sms: 0.04, push: 0.03, direct_mail: 0.01, video: 0.015,
};

/** Cost per touch (currency units), by channel. */
export const COST_PER_TOUCH: Record<Channel, number> = {
  email: 0.002, display: 0.004, social: 0.006, search: 0.45, phone: 1.8, sms: 0.03, push: 0.001, direct_mail: 0.6, video: 0.012,
};

export const SEGMENT_EFFECT: Record<Segment, number> = {
  young_urban: 1.05, families: 1.0, seniors: 0.85, students: 0.8, professionals: 1.1, bargain_hunters: 1.15, luxury_seekers: 0.95, rural: 0.9,
};

export const OFFER_EFFECT: Record<Offer, number> = {
  discount: 1.2, free_shipping: 1.1, trial: 1.05, bundle: 1.0, loyalty_points: 0.95, none: 0.8,
};

export const CREATIVE_EFFECT: Record<Creative, number> = { video: 1.05, carousel: 1.0, static: 0.95, text: 0.9 };

/** Typical age bands of each segment (the first is most likely). */
export const SEGMENT_AGES: Record<Segment, readonly (typeof AGE_BANDS)[number][]> = {
  young_urban: ['25-34', '18-24', '35-44'],
  families: ['35-44', '25-34', '45-54'],
  seniors: ['65+', '55-64'],
  students: ['18-24', '25-34'],
  professionals: ['35-44', '25-34', '45-54', '55-64'],
  bargain_hunters: ['25-34', '35-44', '45-54', '55-64'],
  luxury_seekers: ['45-54', '35-44', '55-64'],
  rural: ['45-54', '55-64', '35-44', '65+'],
};

/** Mean order value of a conversion, by industry. */
export const ORDER_VALUE: Record<Industry, number> = {
  retail: 60, travel: 450, finance: 900, telecom: 40, education: 300, healthcare: 120, automotive: 1500, media: 12, insurance: 350, hospitality: 180,
};

/** Share of touches in each hour of the day (UTC), a daytime-heavy profile. */
export const HOUR_WEIGHTS: readonly number[] = [
  0.3, 0.2, 0.15, 0.15, 0.2, 0.4, 0.8, 1.2, 1.5, 1.6, 1.6, 1.5, 1.6, 1.5, 1.4, 1.4, 1.5, 1.6, 1.7, 1.6, 1.3, 1.0, 0.7, 0.5,
];

export const CLIENT_NAME_PARTS = {
  first: ['North', 'Blue', 'Silver', 'Bright', 'Iron', 'Green', 'Swift', 'Summit', 'Harbor', 'Cedar', 'Nova', 'Atlas', 'Lumen', 'Orbit', 'Maple', 'Coral'],
  second: ['wind', 'stone', 'field', 'line', 'point', 'bridge', 'gate', 'leaf', 'peak', 'wave', 'crest', 'way'],
} as const;
