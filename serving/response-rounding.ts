/** The precision figures are reported at in responses: probabilities and rates to 6 decimals, scores and similarities to 4. */

/** `x` rounded to `digits` decimals (half away from zero on positives, as Math.round). */
export const round = (x: number, digits = 6): number => Math.round(x * 10 ** digits) / 10 ** digits;
