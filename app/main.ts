/**
 * The `almanac` command line. Each area registers its own commands; this file only assembles them.
 */
import { Command, CommanderError } from 'commander';
import { registerPipelineCommands } from '../pipelines/cli.ts';
import { registerFeatureCommands } from '../features/cli.ts';
import { registerModelCommands } from '../models/cli.ts';
import { registerIndexCommands } from '../embeddings/cli.ts';
import { registerServeCommands } from '../serving/cli.ts';
import { registerDagCommands } from '../dags/cli.ts';
import { registerDemoCommand } from './demo.ts';
import { registerTenantCommands } from '../core/tenants/tenant-commands.ts';

export function buildProgram(): Command {
  const program = new Command('almanac')
    .description('Learns which campaign patterns succeed across clients; serves predictions and similar proven patterns.')
    .option('--config <file>', 'JSON config file (default: $ALMANAC_CONFIG or ./almanac.config.json); environment variables override it')
    .configureOutput({ outputError: (str, write) => write(`almanac: ${str.replace(/^error: /, '').trim()} (see --help)\n`) });
  registerDemoCommand(program);
  registerPipelineCommands(program);
  registerFeatureCommands(program);
  registerModelCommands(program);
  registerIndexCommands(program);
  registerServeCommands(program);
  registerTenantCommands(program);
  registerDagCommands(program);
  for (const cmd of program.commands) applyExitOverride(cmd);
  program.exitOverride();
  return program;
}

function applyExitOverride(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) applyExitOverride(sub);
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed as one line.
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    throw e;
  }
}
