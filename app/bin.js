#!/usr/bin/env node
// Entry point of the `almanac` command: registers the TypeScript loader, then runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
await main(process.argv);
// A failed command has printed its one line: exit now, so a client still retrying a dead engine
// (kafkajs reconnecting to a broker that is down) cannot keep the process alive.
if (process.exitCode) process.exit(process.exitCode);
