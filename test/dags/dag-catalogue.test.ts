import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.ts';
import { dagCatalogue, findDag } from '../../dags/dag-catalogue.ts';

describe('DAG catalogue', () => {
  it('configures the retrain DAG from config.retrain (schedule, gate tolerance)', () => {
    const config = loadConfig({ env: { ALMANAC_RETRAIN_SCHEDULE: '30 2 * * 1' }, overrides: { retrain: { gateTolerance: 0.05 } } });
    const retrain = findDag(dagCatalogue(config), 'retrain');
    expect(retrain.schedule).toBe('30 2 * * 1');
    expect(retrain.tasks.find((t) => t.id === 'evaluate')?.description).toContain('0.05');
  });

  it("'off' leaves the retrain DAG unscheduled (manual runs only)", () => {
    const config = loadConfig({ env: { ALMANAC_RETRAIN_SCHEDULE: 'off' } });
    expect(findDag(dagCatalogue(config), 'retrain').schedule).toBeUndefined();
  });

  it('rejects a bad cron expression naming the DAG', () => {
    const config = loadConfig({ env: { ALMANAC_RETRAIN_SCHEDULE: 'nightly' } });
    expect(() => dagCatalogue(config)).toThrow(/DAG 'retrain': invalid cron schedule 'nightly'/);
  });

  it('an unknown name lists the known DAGs', () => {
    expect(() => findDag(dagCatalogue(loadConfig({ env: {} })), 'nope')).toThrow(/known DAGs: retrain/);
  });
});
