/**
 * Records the feature jobs read per call (backfill chunk, stream poll). Small enough that a batch
 * still being processed is little live data when the young generation is scavenged (with 10,000
 * records per read, copying the unprocessed rest of each batch cost ~10% of a backfill); large
 * enough that per-read and per-drain overhead stays negligible.
 */
export const READ_BATCH = 2000;
