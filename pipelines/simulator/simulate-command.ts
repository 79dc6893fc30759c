/** `almanac simulate`: writes a simulated world (events.jsonl + ground-truth.json) to a folder. */
import type { Command } from 'commander';
import { action, intOption } from '../../core/cli/command.ts';
import { invalidInput } from '../../core/errors.ts';
import { DEMO_WORLD, type SimulationOptions } from './simulation-options.ts';
import { writeSimulation, type SimulationResult } from './write-simulation.ts';

interface SimulateFlags {
  seed: string;
  clients: string;
  clientsPerIndustry: string;
  campaigns: string;
  days: string;
  touchesPerDay: string;
  start: string;
  out: string;
  outOfOrderRate: string;
  duplicateRate: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('Simulate clients, campaigns, touches and late outcomes with planted success patterns; writes DIR/events.jsonl and DIR/ground-truth.json (deterministic per seed)')
    .requiredOption('--out <dir>', 'output folder (created if missing; files are replaced atomically)')
    .option('--seed <n>', 'random seed: the same options give byte-identical files', String(DEMO_WORLD.seed))
    .option('--clients <n>', 'number of clients (tenants)', String(DEMO_WORLD.clients))
    .option('--clients-per-industry <n>', 'clients per industry aimed at (a planted pattern needs 4 to be visible at k = 3)', String(DEMO_WORLD.clientsPerIndustry))
    .option('--campaigns <n>', 'number of campaigns in total, spread over the clients', String(DEMO_WORLD.campaigns))
    .option('--days <n>', 'simulated days', String(DEMO_WORLD.days))
    .option('--touches-per-day <n>', 'mean touches per active campaign per day', String(DEMO_WORLD.touchesPerDay))
    .option('--start <date>', 'first simulated day, ISO-8601 (UTC)', '2024-01-01T00:00:00Z')
    .option('--out-of-order-rate <r>', 'share of touch/outcome events delivered late (0–0.5)', '0.015')
    .option('--duplicate-rate <r>', 'share of events re-sent as exact duplicates (0–0.5)', '0.01')
    .option('--json', 'print the summary as JSON')
    .option('--quiet', 'no progress on stderr')
    .addHelpText('after', '\nDefaults are the demo world (~180k events). Example: almanac simulate --seed 1 --clients 50 --campaigns 500 --days 60 --out data/sim')
    .action(action(async (flags: SimulateFlags) => {
      const result = await writeSimulation({ ...simulationOptions(flags), out: flags.out, quiet: flags.quiet === true });
      process.stdout.write(flags.json ? `${JSON.stringify(summaryJson(result))}\n` : `${summaryLine(result)}\n`);
    }));
}

/** Options are parsed inside the action, so that a bad value becomes one line and exit code 2. */
function simulationOptions(f: SimulateFlags): SimulationOptions {
  return {
    seed: intOption('--seed', 0)(f.seed),
    clients: intOption('--clients', 1)(f.clients),
    clientsPerIndustry: intOption('--clients-per-industry', 1, 1000)(f.clientsPerIndustry),
    campaigns: intOption('--campaigns', 1)(f.campaigns),
    days: intOption('--days', 1)(f.days),
    touchesPerDay: intOption('--touches-per-day', 0)(f.touchesPerDay),
    start: f.start,
    outOfOrderRate: rateOption('--out-of-order-rate')(f.outOfOrderRate),
    duplicateRate: rateOption('--duplicate-rate')(f.duplicateRate),
  };
}

function rateOption(name: string) {
  return (value: string): number => {
    const r = Number(value);
    if (value.trim() === '' || !Number.isFinite(r) || r < 0 || r > 0.5) {
      throw invalidInput(`option ${name} must be a number between 0 and 0.5, got '${value}'`, [{ path: name, reason: 'must be a number between 0 and 0.5' }]);
    }
    return r;
  };
}

function summaryJson(r: SimulationResult) {
  return {
    events: r.events, byType: r.byType, duplicates: r.duplicates, outOfOrder: r.outOfOrder, files: r.files,
    patterns: r.groundTruth.patterns.map((p) => ({ id: p.id, clients: p.clients.length, conversionRate: p.conversionRate, observedRate: p.observed.rate })),
    observedBaseRate: r.groundTruth.observedBaseRate,
  };
}

function summaryLine(r: SimulationResult): string {
  const t = r.byType;
  return `simulated ${r.events} events (client ${t.client}, campaign ${t.campaign}, touch ${t.touch}, outcome ${t.outcome}; `
    + `${r.duplicates} duplicates, ${r.outOfOrder} out of order; ${r.groundTruth.patterns.length} planted patterns) → ${r.files.join(', ')}`;
}
