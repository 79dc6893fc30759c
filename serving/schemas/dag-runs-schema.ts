/** Query and response of GET /v1/dags/runs. */
import { z } from 'zod';
import { shownValue } from '../../core/domain/timestamp.ts';
import { queryInt } from './query-fields.ts';

/** A DAG name as dags/dag.ts defines them. */
const DAG_NAME = /^[a-z][a-z0-9-]{0,63}$/;

export const dagRunsQuerySchema = z.object({
  /** Absent: the runs of every DAG, newest first. */
  dag: z.string().refine((v) => DAG_NAME.test(v), { error: (issue) => `expected a DAG name (lowercase letters, digits and '-', such as retrain), got ${shownValue(issue.input)}` }).optional(),
  limit: queryInt(1, 200, 20),
}).strict();

const time = z.string().nullable();

export const dagRunsResponseSchema = z.object({
  runs: z.array(z.object({
    run_id: z.string(), dag: z.string(), started_at: z.string(), finished_at: time, state: z.enum(['running', 'success', 'failed']),
    tasks: z.array(z.object({
      task: z.string(), state: z.enum(['pending', 'running', 'success', 'failed', 'skipped']),
      /** Times are null for the attempts of runs recorded before attempts were kept (only their count is known). */
      attempts: z.array(z.object({ attempt: z.number().int(), started_at: time, finished_at: time, state: z.enum(['running', 'success', 'failed']), error: z.string().nullable() })),
    })),
  })),
});
