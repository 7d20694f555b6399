// Webhooks: every change event of a connection is queued per endpoint (durably, in the mirror database) and
// POSTed as JSON signed with HMAC-SHA256 (`X-IIQ-Graph-Signature: t=<unix seconds>,v1=<hex>` over
// `<t>.<body>`, Stripe-style, so a receiver can reject replays). Failures are retried with exponential
// backoff; every attempt is in the delivery log; any delivery can be sent again (redelivery).
//
// At least once, deduplicable: a delivery is sent until a 2xx is recorded, so a receiver may see one event more
// than once (a retry after a lost response, a redelivery, a replica that lost its lease mid-request). Every copy
// carries the same `X-IIQ-Graph-Event-Id` / `Idempotency-Key` (= the body's `id`, `evt_<seq>`) and the same
// `X-IIQ-Graph-Delivery` (the delivery's id: one per endpoint and event).
//
// Several replicas (PostgreSQL): only the lease owner delivers; it claims each delivery and records its outcome
// with statements that check the lease's fencing token (`iiq_graph_leases`; the outcome's UPDATE reads that row
// FOR SHARE in its WHERE, so a takeover's token bump and the write are ordered) — a deposed owner's claim is
// refused before anything is sent, and its late result is discarded instead of overwriting the new owner's.
//
// Outbound policy: a URL is checked against IIQ_GRAPH_ALLOWED_HOSTS (src/connections/url-policy.ts) before each
// attempt, and the socket's DNS answers again at connect time (no delivery to a rebound internal address).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Agent, fetch as undiciFetch } from 'undici';
import { OutboundPolicy } from '../connections/url-policy.ts';
import type { Logger } from '../graphql/logger.ts';
import { FencedError } from './db.ts';
import type { MirrorStore } from './store.ts';
import type { ChangeEvent, DeliveryStatus, Webhook, WebhookDelivery } from './types.ts';

export const SIGNATURE_HEADER = 'x-iiq-graph-signature';
export const EVENT_ID_HEADER = 'x-iiq-graph-event-id';
export const DELIVERY_HEADER = 'x-iiq-graph-delivery';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** What the dispatcher needs of the connection's lease (PgLease): its name and the token it was acquired with. */
export interface LeaseHandle {
  readonly name: string;
  lastToken(): number | null;
}

type Fence = { name: string; token: number };

interface AttemptResult {
  status: DeliveryStatus;
  responseStatus: number | null;
  error: string | null;
  nextAttemptAt: string | null;
}

export interface WebhookOptions {
  /** first retry delay; doubles per attempt */
  baseDelayMs: number;
  maxDelayMs: number;
  /** attempts before a delivery is marked failed (redeliver to try again) */
  maxAttempts: number;
  timeoutMs: number;
  /** how often due retries are looked for */
  pollMs: number;
  /** IIQ_GRAPH_ALLOWED_HOSTS; default: the process environment's */
  urlPolicy: OutboundPolicy;
}

export const DEFAULT_WEBHOOK_OPTIONS: Omit<WebhookOptions, 'urlPolicy'> = { baseDelayMs: 1000, maxDelayMs: 10 * 60_000, maxAttempts: 8, timeoutMs: 10_000, pollMs: 1000 };

export function sign(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

/** For receivers (and tests): checks the signature and that the timestamp is within `toleranceSec`. */
export function verifySignature(secret: string, header: string | null, body: string, toleranceSec = 300, now = Date.now()): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceSec || !parts.v1) return false;
  const want = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const got = Buffer.from(parts.v1);
  return want.length === got.length && timingSafeEqual(want, got);
}

/** What APIs show of an endpoint: never its secret; a password in the URL's userinfo masked. */
export function webhookView({ secret: _secret, ...h }: Webhook): Omit<Webhook, 'secret'> {
  let url = h.url;
  try {
    const u = new URL(url);
    if (u.password) {
      u.password = '********';
      url = u.href;
    }
  } catch {
    // stored URLs were validated; keep it as is
  }
  return { ...h, url };
}

export function payloadOf(e: ChangeEvent): Record<string, unknown> {
  return { id: `evt_${e.seq}`, cursor: String(e.seq), type: e.type, connection_id: e.connectionId, occurred_at: e.occurredAt, data: e.data };
}

export class WebhookDispatcher {
  readonly options: WebhookOptions;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  /** false on a replica that does not own the connection's background work (another replica delivers) */
  private active = true;
  private lease: LeaseHandle | null = null;
  private agent: Agent | null = null;

  constructor(
    private readonly store: MirrorStore,
    private readonly connectionId: string,
    options: Partial<WebhookOptions> = {},
    private readonly logger?: Logger,
  ) {
    this.options = { ...DEFAULT_WEBHOOK_OPTIONS, urlPolicy: options.urlPolicy ?? OutboundPolicy.fromEnv(process.env), ...options };
  }

  /** Several replicas: delivery-state writes are fenced with the token this replica acquired the lease with. */
  setLease(lease: LeaseHandle | null): void {
    this.lease = lease;
  }

  /** The URL check of a new endpoint (API): the same policy deliveries are held to; throws UrlPolicyError. */
  assertUrlAllowed(url: string): Promise<void> {
    return this.options.urlPolicy.assertAllowed(url, 'webhook');
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poke(), this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    const agent = this.agent;
    this.agent = null;
    await agent?.close().catch(() => undefined);
  }

  /** Several replicas: only the lease owner delivers; the others' pokes (sync hooks, redeliver) do nothing. */
  setActive(active: boolean): void {
    this.active = active;
  }

  /** Queues new events and sends what is due; concurrent pokes coalesce into one more round. */
  poke(): Promise<void> {
    if (!this.active) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        if (this.active) await this.round();
      } while (this.again && this.active);
    })()
      .catch((err: unknown) => this.logger?.warn({ err: err instanceof Error ? err.message : String(err) }, 'webhook round failed'))
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async round(): Promise<void> {
    // the token this replica owns the connection's work with, fixed for the round: if the lease moves on
    // meanwhile, every claim and result of this round is refused (FencedError) instead of racing the new owner
    let fence: Fence | undefined;
    if (this.lease) {
      const token = this.lease.lastToken();
      if (token === null) return; // never owned: nothing to deliver here
      fence = { name: this.lease.name, token };
    }
    const hooks = await this.store.listWebhooks({ connectionId: this.connectionId });
    if (hooks.length === 0) return;
    for (const h of hooks) while ((await this.store.enqueueDeliveries(h)) > 0);
    const now = Date.now();
    try {
      for (const h of hooks) {
        // in feed order: the endpoint's oldest pending event goes first; one not yet due (backing off) or
        // failing holds the later ones, so a receiver sees events in cursor order
        for (const d of await this.store.pendingDeliveries(h.id, 200)) {
          if (!this.active) return;
          if (d.nextAttemptAt && Date.parse(d.nextAttemptAt) > now) break;
          if (!(await this.deliver(h, d, fence))) break;
        }
      }
    } catch (err) {
      if (!(err instanceof FencedError)) throw err;
      this.logger?.warn({ connectionId: this.connectionId, lease: fence?.name, token: fence?.token }, 'webhook deliveries fenced: another replica owns this connection now; nothing recorded');
    }
  }

  /**
   * Claims a delivery for one attempt: it is still pending (not delivered meanwhile) and, with a lease, the lease
   * row still holds this replica's token — one statement; a deposed owner sends nothing (FencedError).
   */
  private async claim(d: WebhookDelivery, fence: Fence | undefined): Promise<boolean> {
    const db = this.store.db;
    if (!fence || db.kind !== 'postgres') {
      return (await db.all('SELECT status FROM mirror_webhook_deliveries WHERE id = ?', [d.id]))[0]?.status === 'pending';
    }
    const row = (await db.all('SELECT status, (SELECT token FROM iiq_graph_leases WHERE name = ?) AS token FROM mirror_webhook_deliveries WHERE id = ?', [fence.name, d.id]))[0];
    if (!row) return false; // the endpoint was deleted meanwhile
    const current = row.token === null || row.token === undefined ? null : Number(row.token);
    if (current !== fence.token) throw new FencedError(fence.name, fence.token, current);
    return row.status === 'pending';
  }

  /**
   * Records an attempt's outcome. With a lease, the UPDATE carries the token check in its own WHERE (the lease
   * row read FOR SHARE: a takeover's token bump waits for this statement, or this statement sees the bump and
   * writes nothing) — one atomic statement; nothing written because of the token is a FencedError.
   */
  private async record(d: WebhookDelivery, result: AttemptResult, fence: Fence | undefined): Promise<void> {
    const db = this.store.db;
    const set = 'UPDATE mirror_webhook_deliveries SET attempts = attempts + 1, status = ?, response_status = ?, error = ?, next_attempt_at = ?, delivered_at = ? WHERE id = ?';
    const params = [result.status, result.responseStatus, result.error, result.nextAttemptAt, result.status === 'delivered' ? new Date().toISOString() : null, d.id];
    if (!fence || db.kind !== 'postgres') {
      await db.run(set, params);
      return;
    }
    const changed = await db.run(`${set} AND EXISTS (SELECT 1 FROM iiq_graph_leases WHERE name = ? AND token = ? FOR SHARE)`, [...params, fence.name, fence.token]);
    if (changed > 0) return;
    const row = (await db.all('SELECT token FROM iiq_graph_leases WHERE name = ?', [fence.name]))[0];
    const current = row ? Number(row.token) : null;
    if (current !== fence.token) throw new FencedError(fence.name, fence.token, current);
    // else the delivery is gone (its endpoint was deleted meanwhile): nothing to record
  }

  private async deliver(hook: Webhook, d: WebhookDelivery, fence: Fence | undefined): Promise<boolean> {
    if (!(await this.claim(d, fence))) return true; // delivered or changed meanwhile
    const refused = this.options.urlPolicy.problem(hook.url, 'webhook');
    if (refused) {
      // an endpoint saved before the allow-list changed: no request; redeliver after fixing the list or the URL
      await this.record(d, { status: 'failed', responseStatus: null, error: `refused by the outbound URL policy: ${refused}`, nextAttemptAt: null }, fence);
      this.logger?.warn({ webhook: hook.id, delivery: d.id, problem: refused }, 'webhook delivery refused by IIQ_GRAPH_ALLOWED_HOSTS');
      return true; // the same for every event of the endpoint: no order to keep
    }
    const event = await this.store.getChange(d.seq);
    if (!event) {
      await this.record(d, { status: 'failed', responseStatus: null, error: 'event no longer stored', nextAttemptAt: null }, fence);
      return true;
    }
    const body = JSON.stringify(payloadOf(event));
    const eventId = `evt_${event.seq}`;
    let status: number | null = null;
    let error: string | null = null;
    try {
      this.agent ??= new Agent({ connect: { lookup: this.options.urlPolicy.lookup, timeout: this.options.timeoutMs } });
      const res = await undiciFetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'iiq-graph-webhooks',
          [SIGNATURE_HEADER]: sign(hook.secret, body, Math.floor(Date.now() / 1000)),
          [EVENT_ID_HEADER]: eventId,
          [IDEMPOTENCY_HEADER]: eventId,
          [DELIVERY_HEADER]: String(d.id),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
        dispatcher: this.agent,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined); // always consume the body
      if (res.ok) {
        await this.record(d, { status: 'delivered', responseStatus: status, error: null, nextAttemptAt: null }, fence);
        return true;
      }
      error = `HTTP ${status}`;
    } catch (err) {
      if (err instanceof FencedError) throw err;
      const cause = (err as { cause?: NodeJS.ErrnoException }).cause;
      error = err instanceof Error ? `${err.name}: ${cause?.code ?? (err as NodeJS.ErrnoException).code ?? err.message}` : 'request failed';
    }
    const attempts = d.attempts + 1;
    const final = attempts >= this.options.maxAttempts;
    const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempts - 1));
    await this.record(d, {
      status: final ? 'failed' : 'pending',
      responseStatus: status,
      error,
      nextAttemptAt: final ? null : new Date(Date.now() + delay).toISOString(),
    }, fence);
    this.logger?.warn({ webhook: hook.id, delivery: d.id, attempts, error }, final ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry');
    return false;
  }
}
