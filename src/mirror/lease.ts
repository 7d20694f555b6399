// Ownership of a connection's background work (sync runs, webhook deliveries) when several gateway replicas share
// one PostgreSQL: a session-level advisory lock held on a dedicated connection. PostgreSQL releases it when that
// session ends — a clean stop (unlock), a crash or SIGKILL (the server sees the socket close) — so another
// replica's next attempt (every `pollMs`) takes over. Each acquisition increments a fencing token in
// `iiq_graph_leases` (holder, token, time), so operators and logs can tell successive owners apart. The owner
// probes its session every `pollMs`; if it fails, ownership is given up at once (background work stops) and
// re-acquired later like any other replica would. Nothing here is a protocol of its own: the lock is PostgreSQL's.
import { hostname } from 'node:os';
import pg from 'pg';
import type { Logger } from '../graphql/logger.ts';

export interface LeaseOptions {
  connectionString: string;
  /** what is owned, e.g. `mirror:default` */
  name: string;
  /** how often a non-owner tries to acquire and the owner probes its session (takeover ≤ pollMs + connect) */
  pollMs?: number;
  /**
   * an owner that goes silent this long (frozen process, network partition: its socket never closes) loses the
   * session on the server side (`idle_session_timeout`, PostgreSQL ≥ 14), hence the lock; default max(5 × pollMs, 10 s)
   */
  ttlMs?: number;
  schema?: string | undefined;
  logger?: Logger;
  onAcquired: (token: number) => void | Promise<void>;
  onLost: () => void | Promise<void>;
}

export interface LeaseStatus {
  name: string;
  owner: boolean;
  token: number | null;
  holder: string;
  /** the last acquisition attempt or probe failed (the database cannot be reached) */
  error: string | null;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Opens a lease session: a dedicated connection whose loss releases every advisory lock it holds, with a server-side
 * idle timeout (a silent owner loses its locks) and the token table in place.
 */
async function openLeaseSession(options: { connectionString: string; schema?: string | undefined; ttlMs: number; onError: (err: Error) => void }): Promise<pg.Client> {
  const { schema } = options;
  const client = new pg.Client({ connectionString: options.connectionString, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
  // a lost session: the lock is gone with it; the next step notices and gives up ownership
  client.on('error', options.onError);
  await client.connect();
  // older servers lack the setting: the lock then lasts until TCP notices the dead peer
  await client.query(`SET idle_session_timeout = ${Math.round(options.ttlMs)}`).catch(() => undefined);
  await client.query(
    'CREATE TABLE IF NOT EXISTS iiq_graph_leases (name TEXT PRIMARY KEY, token BIGINT NOT NULL, holder TEXT NOT NULL, acquired_at TIMESTAMPTZ NOT NULL)',
  ).catch((err: unknown) => {
    // two replicas creating it at once: one wins, the other's duplicate error is harmless
    if (!/already exists|duplicate key/.test(message(err))) throw err;
  });
  return client;
}

/** The next fencing token of a lease just won (the lock is held: no other replica writes this row now). */
async function nextToken(client: pg.Client, name: string, holder: string): Promise<number> {
  const row = (
    await client.query(
      `INSERT INTO iiq_graph_leases (name, token, holder, acquired_at) VALUES ($1, 1, $2, now())
       ON CONFLICT (name) DO UPDATE SET token = iiq_graph_leases.token + 1, holder = EXCLUDED.holder, acquired_at = now()
       RETURNING token`,
      [name, holder],
    )
  ).rows[0] as { token: string };
  return Number(row.token);
}

export class PgLease implements Lease {
  readonly holder = `${hostname()}:${process.pid}`;
  private client: pg.Client | null = null;
  private owner = false;
  private token: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private busy: Promise<void> = Promise.resolve();
  private lastError: string | null = null;
  private readonly pollMs: number;

  constructor(private readonly options: LeaseOptions) {
    this.pollMs = options.pollMs ?? 2000;
  }

  status(): LeaseStatus {
    return { name: this.options.name, owner: this.owner, token: this.token, holder: this.holder, error: this.lastError };
  }

  isOwner(): boolean {
    return this.owner;
  }

  /** the token of this process's latest acquisition (kept after a loss: fenced writes then fail) */
  lastToken(): number | null {
    return this.token;
  }

  get name(): string {
    return this.options.name;
  }

  /** One attempt now (a one-shot process such as the CLI's sync); true when this process owns the lease. */
  async tryAcquire(): Promise<boolean> {
    this.busy = this.busy.then(() => this.step()).catch(() => undefined);
    await this.busy;
    return this.owner;
  }

  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      this.busy = this.busy.then(() => this.step()).catch(() => undefined);
      void this.busy.then(() => {
        if (!this.stopped) {
          this.timer = setTimeout(tick, this.pollMs);
          this.timer.unref();
        }
      });
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  /** Stops trying; releases the lock (if held) so another replica takes over at its next attempt. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy.catch(() => undefined);
    const client = this.client;
    this.client = null;
    if (client) {
      if (this.owner) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [this.key()]).catch(() => undefined);
      await client.end().catch(() => undefined);
    }
    if (this.owner) {
      this.owner = false;
      this.options.logger?.info({ lease: this.options.name, token: this.token }, 'lease released');
    }
  }

  private key(): string {
    return `iiq-graph-lease:${this.options.name}`;
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const ttlMs = this.options.ttlMs ?? Math.max(5 * this.pollMs, 10_000);
    this.client = await openLeaseSession({ ...this.options, ttlMs, onError: (err) => void (this.lastError = message(err)) });
    return this.client;
  }

  private async lose(reason: string): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
    if (!this.owner) return;
    this.owner = false;
    this.options.logger?.error({ lease: this.options.name, token: this.token, reason }, 'lease lost: background work stops on this replica');
    await this.options.onLost();
  }

  private async step(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = await this.connect();
      if (this.owner) {
        await client.query('SELECT 1'); // the session (and with it the lock) is still there
        this.lastError = null;
        return;
      }
      const got = (await client.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [this.key()])).rows[0] as { ok: boolean };
      this.lastError = null;
      if (!got.ok || this.stopped) {
        if (got.ok) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [this.key()]);
        return;
      }
      this.token = await nextToken(client, this.options.name, this.holder);
      this.owner = true;
      this.options.logger?.info({ lease: this.options.name, token: this.token, holder: this.holder }, 'lease acquired: this replica runs the background work');
      await this.options.onAcquired(this.token);
    } catch (err) {
      this.lastError = message(err);
      await this.lose(this.lastError);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Many leases on one session (linked accounts: a lease per connection). One PostgreSQL session per replica holds
// the advisory locks of every connection it owns — not a session per connection — so hundreds of connections cost
// each replica one database connection for ownership. Every `pollMs` one round trip probes the session and tries
// the locks not held yet (all of them in one statement); each lock won bumps that name's fencing token. A lost
// session loses every lease at once (each `onLost` runs) and the next round starts over on a new session.
// ---------------------------------------------------------------------------------------------------------

/** What a connection's mirror needs of its lease, whether alone on a session (PgLease) or in a group. */
export interface Lease {
  readonly name: string;
  isOwner(): boolean;
  lastToken(): number | null;
  status(): LeaseStatus;
  start(): void;
  stop(): Promise<void>;
}

export interface LeaseGroupOptions {
  connectionString: string;
  schema?: string | undefined;
  pollMs?: number;
  ttlMs?: number;
  /** at most this many leases owned by this replica (the rest are left to others); default unlimited */
  maxOwned?: number;
  logger?: Logger;
}

interface Member {
  name: string;
  started: boolean;
  owner: boolean;
  token: number | null;
  onAcquired: (token: number) => void | Promise<void>;
  onLost: () => void | Promise<void>;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export class PgLeaseGroup {
  readonly holder = `${hostname()}:${process.pid}`;
  private client: pg.Client | null = null;
  private readonly members = new Map<string, Member>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private busy: Promise<void> = Promise.resolve();
  private lastError: string | null = null;
  private readonly pollMs: number;

  constructor(private readonly options: LeaseGroupOptions) {
    this.pollMs = options.pollMs ?? 2000;
  }

  /** the lock key: 64-bit hash (hundreds of names; a 32-bit hash would collide sooner) */
  private static key(name: string): string {
    return `iiq-graph-lease:${name}`;
  }

  /**
   * A lease in this group; it joins (and is tried for) once `start()` is called on it — by then the object it
   * replaces (a connection's previous mirror) has stopped and left.
   */
  lease(name: string, callbacks: { onAcquired: (token: number) => void | Promise<void>; onLost: () => void | Promise<void> }): Lease {
    const m: Member = { name, started: false, owner: false, token: null, ...callbacks };
    return {
      name,
      isOwner: () => m.owner,
      lastToken: () => m.token,
      status: () => ({ name, owner: m.owner, token: m.token, holder: this.holder, error: this.lastError }),
      start: () => {
        const other = this.members.get(name);
        if (other && other !== m) throw new Error(`lease ${name} is already in the group`);
        this.members.set(name, m);
        m.started = true;
        this.start();
        this.poke();
      },
      stop: () => this.leave(m),
    };
  }

  /** names this replica owns */
  owned(): string[] {
    return [...this.members.values()].filter((m) => m.owner).map((m) => m.name);
  }

  start(): void {
    if (this.timer || this.stopped) return;
    const tick = () => {
      this.poke();
      void this.busy.then(() => {
        if (!this.stopped) {
          this.timer = setTimeout(tick, this.pollMs);
          this.timer.unref();
        }
      });
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  private poke(): void {
    this.busy = this.busy.then(() => this.step()).catch(() => undefined);
  }

  /** Releases one lease (unlock on the shared session) and forgets it. */
  private async leave(m: Member): Promise<void> {
    m.started = false;
    await this.busy.catch(() => undefined);
    if (this.members.get(m.name) === m) this.members.delete(m.name);
    if (!m.owner) return;
    m.owner = false;
    await this.client?.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [PgLeaseGroup.key(m.name)]).catch(() => undefined);
    this.options.logger?.info({ lease: m.name, token: m.token }, 'lease released');
  }

  /** A deleted connection: its token row goes too (an owner still writing then fails its fence check). */
  async forget(name: string): Promise<void> {
    const m = this.members.get(name);
    if (m) await this.leave(m);
    const client = await this.connect().catch(() => null);
    await client?.query('DELETE FROM iiq_graph_leases WHERE name = $1', [name]).catch(() => undefined);
  }

  /** Stops trying; ends the session, which releases every lock it holds. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.busy.catch(() => undefined);
    const client = this.client;
    this.client = null;
    for (const m of this.members.values()) {
      if (!m.owner) continue;
      m.owner = false;
      this.options.logger?.info({ lease: m.name, token: m.token }, 'lease released');
    }
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const ttlMs = this.options.ttlMs ?? Math.max(5 * this.pollMs, 10_000);
    this.client = await openLeaseSession({ ...this.options, ttlMs, onError: (err) => void (this.lastError = message(err)) });
    return this.client;
  }

  private async loseAll(reason: string): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
    for (const m of this.members.values()) {
      if (!m.owner) continue;
      m.owner = false;
      this.options.logger?.error({ lease: m.name, token: m.token, reason }, 'lease lost: background work stops on this replica');
      await Promise.resolve(m.onLost()).catch(() => undefined);
    }
  }

  private async step(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = await this.connect();
      const max = this.options.maxOwned ?? Number.POSITIVE_INFINITY;
      let owned = [...this.members.values()].filter((m) => m.owner).length;
      // in a random order: replicas starting together do not all go for the same names first
      const wanted = owned >= max ? [] : shuffle([...this.members.values()].filter((m) => m.started && !m.owner));
      if (wanted.length === 0) {
        await client.query('SELECT 1'); // the session (and with it every lock) is still there
        this.lastError = null;
        return;
      }
      // one statement tries every lock not held yet
      const names = wanted.map((m) => m.name);
      const rows = (
        await client.query('SELECT n AS name, pg_try_advisory_lock(hashtextextended($2 || n, 0)) AS ok FROM unnest($1::text[]) AS n', [names, 'iiq-graph-lease:'])
      ).rows as { name: string; ok: boolean }[];
      this.lastError = null;
      for (const r of rows) {
        if (!r.ok) continue;
        const m = this.members.get(r.name);
        // at the cap (MIRROR_MAX_LEASES): a lock won beyond it goes straight back to the other replicas
        if (!m || !m.started || this.stopped || owned >= max) {
          await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [PgLeaseGroup.key(r.name)]);
          continue;
        }
        m.token = await nextToken(client, m.name, this.holder);
        m.owner = true;
        owned++;
        this.options.logger?.info({ lease: m.name, token: m.token, holder: this.holder }, 'lease acquired: this replica runs the background work');
        // the work starts in the background: one slow start must not hold up the other leases' probes
        void Promise.resolve(m.onAcquired(m.token)).catch((err: unknown) => this.options.logger?.warn({ lease: m.name, err: message(err) }, 'lease owner start failed'));
      }
    } catch (err) {
      this.lastError = message(err);
      await this.loseAll(this.lastError);
    }
  }
}
