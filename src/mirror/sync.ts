// Keeps the mirror of one connection in step with IIQ:
// - full sync: every user with roles (defaults + roles by URN, reference §4.5) through the client's parallel
//   windows, sorted by userName, committed in batches together with a checkpoint (the last userName), so a
//   failed page or a process restart resumes with `userName gt <checkpoint>` instead of starting over;
//   users the completed pass did not see are deletion candidates, each confirmed upstream before removal;
// - incremental sync: `meta.lastModified gt <watermark − skew>`, sorted by lastModified, paged;
// - deletion scan: an id-only listing compared with the mirror (candidates confirmed by id; ids missing
//   from the mirror are fetched: the scan also repairs what a moving page boundary made a walk skip);
// - role catalog refresh: one listing, diffed.
// A run never deletes because something failed: deletions follow only a complete pass. Every run is recorded.
import { f } from '../iiq/filter.ts';
import type { IiqClient, IiqUser } from '../iiq/types.ts';
import type { Logger } from '../graphql/logger.ts';
import type { ApplyResult, MirrorStore } from './store.ts';
import { emptyCounts, type ChangeEvent, type MirrorState, type SyncCounts, type SyncKind, type SyncRun } from './types.ts';

export interface MirrorSyncOptions {
  /** parallel windows of a full sync / deletion scan */
  concurrency: number;
  pageSize: number;
  /** users per transaction (and checkpoint) */
  batchSize: number;
  /** re-read window below the watermark: covers clock differences and commits IIQ made out of order */
  skewMs: number;
  incrementalIntervalMs: number;
  deletionScanIntervalMs: number;
  rolesIntervalMs: number;
  /** change events older than this are pruned after each scheduled round (0 = keep forever) */
  changeRetentionMs: number;
  /** runs of many connections in one process share these slots (linked accounts: MIRROR_MAX_CONCURRENT_SYNCS) */
  limiter?: SyncLimiter | undefined;
  /** the schedule's first round waits a random time up to this (many connections' schedules spread out) */
  startJitterMs?: number | undefined;
}

/**
 * At most `max` sync runs at a time in this process, whatever connection they belong to; the rest wait in
 * arrival order. A handful of lines rather than a dependency: acquire / release around one run is all it does.
 */
export class SyncLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next(); // the slot passes on without being freed
      else this.active--;
    }
  }

  /** runs in progress and runs waiting for a slot (diagnostics, tests) */
  load(): { active: number; waiting: number } {
    return { active: this.active, waiting: this.waiting.length };
  }
}

export const DEFAULT_SYNC_OPTIONS: MirrorSyncOptions = {
  concurrency: 4,
  pageSize: 250,
  batchSize: 500,
  skewMs: 60_000,
  incrementalIntervalMs: 60_000,
  deletionScanIntervalMs: 15 * 60_000,
  rolesIntervalMs: 15 * 60_000,
  changeRetentionMs: 30 * 86_400_000,
};

export type SyncListener = (events: readonly ChangeEvent[]) => void;

const maxIso = (a: string | null, b: string | null): string | null => {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
};
const minIso = (a: string, b: string): string => (Date.parse(a) <= Date.parse(b) ? a : b);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function add(into: SyncCounts, from: SyncCounts): void {
  for (const k of ['created', 'updated', 'unchanged', 'deleted', 'membershipsAdded', 'membershipsRemoved'] as const) into[k] += from[k];
}

export class MirrorSync {
  readonly options: MirrorSyncOptions;
  private chain: Promise<unknown> = Promise.resolve();
  private current: { kind: SyncKind; startedAt: Date; counts: SyncCounts } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private generation = 0;
  private abort = new AbortController();
  private listeners: SyncListener[] = [];
  private runListeners: ((run: SyncRun) => void | Promise<void>)[] = [];

  constructor(
    private readonly client: IiqClient,
    readonly store: MirrorStore,
    readonly connectionId: string,
    options: Partial<MirrorSyncOptions> = {},
    private readonly logger?: Logger,
  ) {
    this.options = { ...DEFAULT_SYNC_OPTIONS, ...options };
  }

  /** called with the events of every committed batch (index updates, webhook pokes) */
  onChanges(listener: SyncListener): void {
    this.listeners.push(listener);
  }

  /** called after every run, succeeded or failed (state caches, data age) */
  onRun(listener: (run: SyncRun) => void | Promise<void>): void {
    this.runListeners.push(listener);
  }

  private async ranHook(run: SyncRun): Promise<void> {
    for (const l of this.runListeners) {
      try {
        await l(run);
      } catch (err) {
        this.logger?.warn({ err: message(err) }, 'mirror run listener failed');
      }
    }
  }

  /** the run in progress, if any */
  running(): { kind: SyncKind; startedAt: Date; counts: SyncCounts } | null {
    return this.current;
  }

  /** Runs one kind of sync; runs of one engine never overlap (queued). */
  run(kind: SyncKind): Promise<SyncRun> {
    const limiter = this.options.limiter;
    // a run that waited for a slot while its schedule was stopped (lease lost, connection removed) does not start
    const next = this.chain.then(() => (limiter ? limiter.run(() => (this.stopped ? Promise.reject(new Error('mirror sync stopped')) : this.execute(kind))) : this.execute(kind)));
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Whatever is due: a full sync (or its resumption) until one completed, else incremental; roles and deletions on their schedules. */
  async syncDue(now = new Date()): Promise<SyncRun[]> {
    const state = await this.store.getState(this.connectionId);
    const runs: SyncRun[] = [];
    const due = (at: string | null, every: number) => !at || now.getTime() - Date.parse(at) >= every;
    if (due(state.lastRolesAt, this.options.rolesIntervalMs)) runs.push(await this.run('roles'));
    if (!state.fullSyncedAt || state.fullSync) {
      runs.push(await this.run('full'));
      return runs;
    }
    runs.push(await this.run('incremental'));
    if (due(state.lastDeletionScanAt, this.options.deletionScanIntervalMs)) runs.push(await this.run('deletions'));
    if (this.options.changeRetentionMs > 0) {
      const pruned = await this.store.pruneChanges(this.connectionId, new Date(now.getTime() - this.options.changeRetentionMs));
      if (pruned > 0) this.logger?.info({ pruned }, 'old change events pruned');
    }
    return runs;
  }

  /** Schedules syncDue every incrementalIntervalMs (first run now); a failed run is retried at the next tick. */
  async start(): Promise<void> {
    if (this.timer) return;
    // restartable: a replica that regains the lease starts again after stop()
    this.stopped = false;
    if (this.abort.signal.aborted) this.abort = new AbortController();
    const generation = ++this.generation;
    // a run left 'running' by a stopped or killed owner is recorded as interrupted; a full pass resumes from its checkpoint
    await this.store.abandonRunning(this.connectionId);
    if (this.stopped || generation !== this.generation) return;
    const tick = async () => {
      try {
        await this.syncDue();
      } catch (err) {
        this.logger?.warn({ err: message(err) }, 'mirror sync failed; retrying at the next interval');
      }
      if (!this.stopped && generation === this.generation) {
        this.timer = setTimeout(() => void tick(), this.options.incrementalIntervalMs);
        this.timer.unref();
      }
    };
    this.timer = setTimeout(() => void tick(), Math.floor(Math.random() * (this.options.startJitterMs ?? 0)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort(new Error('mirror sync stopped'));
    await this.chain.catch(() => undefined);
  }

  private emit(result: ApplyResult): void {
    if (result.events.length === 0) return;
    for (const l of this.listeners) {
      try {
        l(result.events);
      } catch (err) {
        this.logger?.warn({ err: message(err) }, 'mirror change listener failed');
      }
    }
  }

  private async execute(kind: SyncKind): Promise<SyncRun> {
    const run = await this.store.startRun(this.connectionId, kind);
    const counts = emptyCounts();
    this.current = { kind, startedAt: new Date(run.startedAt), counts };
    const started = Date.now();
    try {
      if (kind === 'full') await this.full(run.id, counts);
      else if (kind === 'incremental') await this.incremental(counts);
      else if (kind === 'deletions') await this.deletions(counts);
      else await this.roles(counts);
      await this.store.finishRun(run.id, 'succeeded', counts, null);
      this.logger?.info({ kind, ...counts, ms: Date.now() - started }, 'mirror sync run finished');
      const done: SyncRun = { ...run, status: 'succeeded', endedAt: new Date().toISOString(), counts };
      await this.ranHook(done);
      return done;
    } catch (err) {
      // errors name the operation and status (IiqError messages carry no user values)
      await this.store.finishRun(run.id, 'failed', counts, message(err)).catch(() => undefined);
      this.logger?.warn({ kind, err: message(err), ...counts }, 'mirror sync run failed; the checkpoint is kept');
      await this.ranHook({ ...run, status: 'failed', endedAt: new Date().toISOString(), counts, error: message(err) });
      throw err;
    } finally {
      this.current = null;
    }
  }

  private async applyBatch(batch: IiqUser[], counts: SyncCounts, opts: { runId?: number; state?: Partial<MirrorState> }): Promise<void> {
    const result = await this.store.applyUsers(this.connectionId, batch, opts);
    counts.fetched += batch.length;
    add(counts, result.counts);
    this.emit(result);
  }

  private async full(runId: number, counts: SyncCounts): Promise<void> {
    const localStart = new Date().toISOString();
    const state = await this.store.getState(this.connectionId);
    // resume an interrupted pass: same pass id (seen marks), from the last committed userName
    const pass = state.fullSync ?? { runId, after: null, startedAt: localStart };
    if (!state.fullSync) await this.store.patchState(this.connectionId, { fullSync: pass });
    const passStart = pass.startedAt;
    let maxSeen: string | null = null;
    let after = pass.after;
    let batch: IiqUser[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      after = batch[batch.length - 1]!.userName;
      await this.applyBatch(batch, counts, { runId: pass.runId, state: { fullSync: { ...pass, after } } });
      batch = [];
    };
    const users = this.client.iterateUsers(
      { includeRoles: true, sort: { by: 'userName', order: 'ascending' }, ...(after !== null ? { filter: f.gt('userName', after) } : {}) },
      { concurrency: this.options.concurrency, pageSize: this.options.pageSize },
      { signal: this.abort.signal },
    );
    for await (const user of users) {
      maxSeen = maxIso(maxSeen, user.lastModified);
      batch.push(user);
      if (batch.length >= this.options.batchSize) await flush();
    }
    await flush();
    // the pass is complete: what it did not see is a deletion candidate, confirmed by id before removal
    const unseen = await this.store.unseenBy(this.connectionId, pass.runId);
    await this.confirmAndDelete(unseen, counts);
    // watermark: never later than the pass start (a user changed behind the walk is re-read incrementally)
    const watermarkAt = maxSeen ? minIso(maxSeen, passStart) : passStart;
    const done = new Date().toISOString();
    await this.store.patchState(this.connectionId, {
      fullSync: null,
      fullSyncedAt: done,
      lastIncrementalAt: done,
      lastDeletionScanAt: done,
      watermark: maxIso(watermarkAt, null),
    });
  }

  private async incremental(counts: SyncCounts): Promise<void> {
    const localStart = new Date().toISOString();
    const state = await this.store.getState(this.connectionId);
    if (!state.watermark) throw new Error('incremental sync needs a completed full sync first');
    const since = new Date(Date.parse(state.watermark) - this.options.skewMs).toISOString();
    let watermark = state.watermark;
    let batch: IiqUser[] = [];
    const users = this.client.iterateUsers(
      { includeRoles: true, filter: f.gt('lastModified', since), sort: { by: 'lastModified', order: 'ascending' } },
      { concurrency: 1, pageSize: this.options.pageSize }, // sorted by lastModified: pages move when users change, keep it sequential
      { signal: this.abort.signal },
    );
    const flush = async () => {
      if (batch.length === 0) return;
      const seen = batch.reduce<string | null>((m, u) => maxIso(m, u.lastModified), null);
      if (seen) watermark = maxIso(watermark, minIso(seen, localStart))!;
      await this.applyBatch(batch, counts, { state: { watermark } });
      batch = [];
    };
    for await (const user of users) {
      batch.push(user);
      if (batch.length >= this.options.batchSize) await flush();
    }
    await flush();
    await this.store.patchState(this.connectionId, { lastIncrementalAt: new Date().toISOString() });
  }

  private async deletions(counts: SyncCounts): Promise<void> {
    const upstream = new Set<string>();
    // id-only: `attributes=id,userName` (the cheapest listing IIQ can give)
    for await (const u of this.client.iterateUsers({ fields: [], sort: { by: 'userName', order: 'ascending' } }, { concurrency: this.options.concurrency, pageSize: 1000 }, { signal: this.abort.signal })) {
      upstream.add(u.id);
    }
    counts.fetched = upstream.size;
    const mirrored = await this.store.userIds(this.connectionId);
    const candidates = [...mirrored].filter((id) => !upstream.has(id));
    await this.confirmAndDelete(candidates, counts);
    const missing = [...upstream].filter((id) => !mirrored.has(id));
    if (missing.length > 0) {
      const found = (await this.client.getUsersByIds(missing, { includeRoles: true, signal: this.abort.signal })).filter((u): u is IiqUser => u !== null);
      const before = counts.fetched;
      await this.applyBatch(found, counts, {});
      counts.fetched = before;
    }
    await this.store.patchState(this.connectionId, { lastDeletionScanAt: new Date().toISOString() });
  }

  /** Deletes only ids IIQ confirms gone (a listing can skip a row when another is deleted mid-walk). */
  private async confirmAndDelete(candidates: string[], counts: SyncCounts): Promise<void> {
    if (candidates.length === 0) return;
    const found = await this.client.getUsersByIds(candidates, { includeRoles: true, signal: this.abort.signal });
    const gone = candidates.filter((_, i) => found[i] === null);
    const still = found.filter((u): u is IiqUser => u !== null);
    if (still.length > 0) {
      const before = counts.fetched;
      await this.applyBatch(still, counts, {});
      counts.fetched = before;
    }
    const result = await this.store.deleteUsers(this.connectionId, gone);
    add(counts, result.counts);
    this.emit(result);
  }

  private async roles(counts: SyncCounts): Promise<void> {
    const roles = await this.client.listAllRoles({ pageSize: 1000, signal: this.abort.signal });
    const result = await this.store.replaceRoles(this.connectionId, roles, { lastRolesAt: new Date().toISOString() });
    counts.fetched = roles.length;
    add(counts, result.counts);
    this.emit(result);
  }
}
