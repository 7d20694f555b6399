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

export class PgLease {
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
    const { schema } = this.options;
    const client = new pg.Client({ connectionString: this.options.connectionString, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
    // a lost session: the lock is gone with it; the next step notices and gives up ownership
    client.on('error', (err) => {
      this.lastError = message(err);
    });
    await client.connect();
    const ttl = Math.round(this.options.ttlMs ?? Math.max(5 * this.pollMs, 10_000));
    // older servers lack the setting: the lock then lasts until TCP notices the dead peer
    await client.query(`SET idle_session_timeout = ${ttl}`).catch(() => undefined);
    await client.query(
      'CREATE TABLE IF NOT EXISTS iiq_graph_leases (name TEXT PRIMARY KEY, token BIGINT NOT NULL, holder TEXT NOT NULL, acquired_at TIMESTAMPTZ NOT NULL)',
    ).catch((err: unknown) => {
      // two replicas creating it at once: one wins, the other's duplicate error is harmless
      if (!/already exists|duplicate key/.test(message(err))) throw err;
    });
    this.client = client;
    return client;
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
      const row = (
        await client.query(
          `INSERT INTO iiq_graph_leases (name, token, holder, acquired_at) VALUES ($1, 1, $2, now())
           ON CONFLICT (name) DO UPDATE SET token = iiq_graph_leases.token + 1, holder = EXCLUDED.holder, acquired_at = now()
           RETURNING token`,
          [this.options.name, this.holder],
        )
      ).rows[0] as { token: string };
      this.token = Number(row.token);
      this.owner = true;
      this.options.logger?.info({ lease: this.options.name, token: this.token, holder: this.holder }, 'lease acquired: this replica runs the background work');
      await this.options.onAcquired(this.token);
    } catch (err) {
      this.lastError = message(err);
      await this.lose(this.lastError);
    }
  }
}
