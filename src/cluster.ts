// Cluster mode (WEB_CONCURRENCY): one primary process forks N workers with node:cluster, each running the
// server (src/server.ts) on the same port, so the gateway uses every core. The primary serves no requests: it
// starts the demo simulator once (its URL goes to the workers), holds the rate-limit counters for all workers
// (rate-limiter-flexible's RateLimiterClusterMaster), restarts a crashed worker with backoff, and on
// SIGTERM/SIGINT lets every worker drain before it exits. Default 1: no primary, today's single process.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import type { pino } from 'pino';
import { RateLimiterClusterMaster } from 'rate-limiter-flexible';
import { ConfigError } from './config.ts';

/** The workers' slot number (1..N), stable across restarts: slot 1 owns the background work. */
const WORKER_ENV = 'IIQ_GRAPH_WORKER';
const WORKERS_ENV = 'IIQ_GRAPH_WORKERS';
/** Demo mode: the simulator the primary started, handed to the workers. */
export const SIMULATOR_URL_ENV = 'IIQ_GRAPH_CLUSTER_SIMULATOR_URL';

/** WEB_CONCURRENCY: unset or empty = 1, a whole number 1..256, or `auto` = os.availableParallelism(). */
export function webConcurrency(env: Record<string, string | undefined>): number {
  const raw = env.WEB_CONCURRENCY?.trim();
  if (!raw) return 1;
  if (raw.toLowerCase() === 'auto') return availableParallelism();
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 256) {
    throw new ConfigError([`WEB_CONCURRENCY must be a whole number of worker processes from 1 to 256, or auto (one per core), got "${raw}"`]);
  }
  return Number(raw);
}

/** In a cluster worker: its slot (1..N) and the number of workers; null in a single process or the primary. */
export function clusterWorker(): { id: number; count: number } | null {
  if (!cluster.isWorker) return null;
  return { id: Number(process.env[WORKER_ENV] ?? cluster.worker?.id ?? 1), count: Number(process.env[WORKERS_ENV] ?? 1) };
}

/** True where scheduled background work (mirror sync, webhook deliveries) runs: a single process, or worker 1. */
export function ownsBackgroundWork(): boolean {
  const w = clusterWorker();
  return !w || w.id === 1;
}

export interface PrimaryOptions {
  workers: number;
  logger: pino.Logger;
  /** the URL to log once every worker listens (host and configured port; the workers' port replaces 0) */
  host: string;
  /** demo mode: start the simulator once here; returns its base URL and how to stop it */
  startSimulator?: () => Promise<{ baseUrl: string; close(): Promise<void> }>;
}

/** Runs the primary: forks the workers and supervises them until SIGTERM/SIGINT, then exits. */
export async function runPrimary(o: PrimaryOptions): Promise<void> {
  const { logger, workers } = o;
  // the workers' RateLimiterCluster limiters count here, so a limit holds across all of them
  new RateLimiterClusterMaster();
  const sim = o.startSimulator ? await o.startSimulator() : null;
  const env: Record<string, string> = { [WORKERS_ENV]: String(workers), ...(sim ? { [SIMULATOR_URL_ENV]: sim.baseUrl } : {}) };
  const slots = new Map<Worker, { slot: number; startedAt: number }>();
  const crashes = new Map<number, number>();
  let stopping = false;
  let exitCode = 0;
  let announced = false;
  const listening = new Set<number>();

  const fork = (slot: number) => {
    if (stopping) return;
    const worker = cluster.fork({ ...env, [WORKER_ENV]: String(slot) });
    slots.set(worker, { slot, startedAt: Date.now() });
    worker.on('listening', (address) => {
      listening.add(slot);
      if (!announced && listening.size === workers) {
        announced = true;
        logger.info({ url: `http://${o.host}:${address.port}/graphql`, workers }, `iiq-graph is listening (${workers} worker processes, WEB_CONCURRENCY); open /graphql in a browser for GraphiQL`);
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const info = slots.get(worker);
    slots.delete(worker);
    if (!info) return;
    if (stopping) {
      if (code !== 0) exitCode = 1;
      if (slots.size === 0) void finish();
      return;
    }
    if (!announced) {
      // a worker that fails before the service ever listened (port in use, bad store, …) would fail again: stop
      logger.error({ worker: info.slot, code, signal }, 'a gateway worker failed to start: stopping the others and exiting');
      exitCode = 1;
      stop('worker failed to start');
      return;
    }
    // a worker that ran for a minute starts a fresh backoff; one that keeps crashing waits up to 30 s
    const n = Date.now() - info.startedAt > 60_000 ? 1 : (crashes.get(info.slot) ?? 0) + 1;
    crashes.set(info.slot, n);
    const delayMs = Math.min(30_000, 250 * 2 ** (n - 1));
    logger.error({ worker: info.slot, pid: worker.process.pid, code, signal, restartInMs: delayMs }, 'a gateway worker exited unexpectedly: starting a new one');
    setTimeout(() => fork(info.slot), delayMs).unref();
  });

  const finish = async () => {
    await sim?.close().catch(() => undefined);
    logger.info({ exitCode }, 'every worker has drained: stopped');
    process.exit(exitCode);
  };
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: slots.size }, 'shutting down: every worker finishes its in-flight requests, then stops');
    if (slots.size === 0) return void finish();
    for (const w of slots.keys()) w.process.kill('SIGTERM');
    // a worker forces its own exit after 10 s; this is the backstop
    setTimeout(() => {
      logger.error('workers did not stop within 15 s: exiting');
      for (const w of slots.keys()) w.process.kill('SIGKILL');
      exitCode = 1;
      void finish();
    }, 15_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  logger.info({ workers }, `cluster mode: starting ${workers} gateway worker processes (WEB_CONCURRENCY)`);
  for (let slot = 1; slot <= workers; slot++) fork(slot);
}
