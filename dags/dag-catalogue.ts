/** The DAGs Almanac ships, by name. */
import type { AlmanacConfig } from '../core/config.ts';
import { AlmanacError } from '../core/errors.ts';
import { gateFromConfig } from '../models/registry/promotion-gate.ts';
import type { Dag } from './dag.ts';
import { retrainDag } from './retrain-dag.ts';
import { checkSchedule } from './scheduler.ts';

/** Every shipped DAG, configured from `config.retrain`, schedules validated. @throws ALMANAC_ERR_CONFIG_INVALID on a bad cron expression. */
export function dagCatalogue(config: AlmanacConfig): Dag[] {
  const dags = [retrainDag({ schedule: config.retrain.schedule, gate: gateFromConfig(config) })];
  for (const dag of dags) if (dag.schedule !== undefined) checkSchedule(dag.name, dag.schedule);
  return dags;
}

/** @throws ALMANAC_ERR_DAG_UNKNOWN listing the known names. */
export function findDag(dags: Dag[], name: string): Dag {
  const dag = dags.find((d) => d.name === name);
  if (!dag) {
    throw new AlmanacError('ALMANAC_ERR_DAG_UNKNOWN', `no DAG named '${name}'; known DAGs: ${dags.map((d) => d.name).join(', ')}`, { details: { dag: name } });
  }
  return dag;
}
