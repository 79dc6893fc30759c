/** Options of a world simulation, validated once at the edge, with the demo preset. */
import { z } from 'zod';
import { parseOrThrow } from '../../core/validation.ts';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

/** A date (read as UTC midnight) or a date-time with a zone. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

const rate = z.number().min(0, 'must be ≥ 0').max(0.5, 'must be ≤ 0.5');

export const simulationOptionsSchema = z
  .object({
    seed: z.number().int().min(0).max(2 ** 32 - 1).default(42),
    clients: z.number().int().min(1).max(100_000).default(12),
    campaigns: z.number().int().min(1).max(200_000).default(60),
    /**
     * Clients per industry aimed at (industries = clients / this). A cross-client pattern is shown
     * at k = 3 only when it holds with any one backing client left out, so a planted pattern needs
     * 4 clients of its industry to be visible; the demo world uses 4.
     */
    clientsPerIndustry: z.number().int().min(1).max(1000).default(3),
    days: z.number().int().min(1).max(3650).default(60),
    /** Mean touches per active campaign per day (scaled per campaign by its budget). */
    touchesPerDay: z.number().int().min(0).max(10_000_000).default(400),
    /** Start of the simulated period: ISO date(-time) or epoch ms; default 2024-01-01T00:00:00Z. */
    start: z
      .union([z.number().int().min(0), z.string().regex(ISO_DATE, 'must be an ISO-8601 date or date-time with a zone, e.g. 2024-01-01 or 2024-01-01T00:00:00Z')])
      .default('2024-01-01T00:00:00Z')
      .transform((v) => (typeof v === 'number' ? v : Date.parse(v)))
      .refine((v) => Number.isFinite(v) && v >= 0, 'must be a real calendar date after 1970 (e.g. 2024-01-01)'),
    /** Share of touch/outcome events delivered late (out of order), held back by up to `maxLatenessMs`. */
    outOfOrderRate: rate.default(0.015),
    /** Share of events re-sent later as exact duplicates (same event_id and content). */
    duplicateRate: rate.default(0.01),
    /** Bound of the disorder: how far (ms) a late or duplicate event may trail its timestamp. */
    maxLatenessMs: z.number().int().min(MINUTE_MS).max(DAY_MS).default(3 * HOUR_MS),
    /** Attribution window (ms) the ground truth describes; conversions later than it must not count. */
    attributionWindowMs: z.number().int().min(HOUR_MS).default(7 * DAY_MS),
  })
  .strict();

export type SimulationOptions = z.input<typeof simulationOptionsSchema>;
export type ResolvedSimulationOptions = z.output<typeof simulationOptionsSchema>;

/**
 * Validates and fills defaults.
 * @throws AlmanacError ALMANAC_ERR_INPUT_INVALID naming the option and the reason.
 */
export function resolveSimulationOptions(options: SimulationOptions): ResolvedSimulationOptions {
  return parseOrThrow(simulationOptionsSchema, options, 'simulation options');
}

/**
 * The demo/test world: 12 clients in 4 industries, 60 campaigns over 60 days, ~110k events,
 * enough for a model to learn the planted patterns; `almanac demo --no-serve` stays under 2 minutes
 * on a 2-core machine.
 */
export const DEMO_WORLD = Object.freeze({
  seed: 7,
  clients: 12,
  clientsPerIndustry: 4,
  campaigns: 60,
  days: 60,
  touchesPerDay: 60,
  start: '2024-01-01T00:00:00Z',
} satisfies SimulationOptions);

/** A tiny world for fast unit tests (a few thousand events). */
export const TINY_WORLD = Object.freeze({
  seed: 1,
  clients: 6,
  campaigns: 18,
  days: 14,
  touchesPerDay: 40,
} satisfies SimulationOptions);
