/** The vector-index alias of the live pattern index (`almanac index` switches it to each new build). */
export const PATTERNS_ALIAS = 'patterns';
