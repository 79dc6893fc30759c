/**
 * A private redis-server for tests: started on a free port from the `redis-server` binary, stopped
 * (SIGTERM or SIGKILL) and started again on the same port by fault tests. When the binary is
 * missing, `redisTarget()` falls back to REDIS_URL (CI exports one), else reports why it skips.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const hasRedisBinary = (): boolean => {
  const found = spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
  // In CI the Redis suites must run, never skip: .ci/run installs redis-server.
  if (!found && process.env.CI) throw new Error('redis-server is not installed; CI must run the Redis suites (see .ci/run)');
  return found;
};

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.write('PING\r\n');
    });
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export class PrivateRedis {
  private child: ChildProcess | undefined;
  readonly dir: string;

  private constructor(
    readonly port: number,
    private readonly durable: boolean,
    private readonly extraArgs: string[] = [],
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'almanac-redis-'));
  }

  /** Starts a server; `durable` turns on AOF with fsync on every write so a SIGKILL loses nothing acknowledged. */
  static async start(options: { durable?: boolean; cluster?: boolean } = {}): Promise<PrivateRedis> {
    const port = await freePort();
    const cluster = options.cluster ? ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000'] : [];
    const server = new PrivateRedis(port, options.durable ?? false, cluster);
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** (Re)starts on the same port and waits until it answers PING. */
  async restart(): Promise<void> {
    if (this.child) return;
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, '--logfile', path.join(this.dir, 'redis.log')];
    args.push(...(this.durable ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']), ...this.extraArgs);
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    for (let i = 0; i < 200; i++) {
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`redis-server on port ${this.port} did not start; see ${this.dir}/redis.log`);
  }

  /** Stops the server with `signal` and waits for the process to exit. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
    this.child = undefined;
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the server: sockets stay open but nothing answers. */
  freeze(frozen: boolean): void {
    this.child?.kill(frozen ? 'SIGSTOP' : 'SIGCONT');
  }

  async dispose(): Promise<void> {
    this.freeze(false);
    await this.stop('SIGKILL');
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface RedisTarget {
  url: string;
  server?: PrivateRedis;
}

/** A private server when the binary exists, else REDIS_URL, else undefined with the reason logged. */
export async function redisTarget(suite: string): Promise<RedisTarget | undefined> {
  if (hasRedisBinary()) {
    const server = await PrivateRedis.start();
    return { url: server.url, server };
  }
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL };
  console.warn(`\n*** SKIPPING ${suite}: no redis-server binary and no REDIS_URL (apt-get install redis-server, or export REDIS_URL) ***\n`);
  return undefined;
}

export const redisAvailable = (): boolean => hasRedisBinary() || Boolean(process.env.REDIS_URL);
