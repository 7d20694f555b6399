// Webhooks: every change event of a connection is queued per endpoint (durably, in the mirror database) and
// POSTed as JSON signed with HMAC-SHA256 (`X-IIQ-Graph-Signature: t=<unix seconds>,v1=<hex>` over
// `<t>.<body>`, Stripe-style, so a receiver can reject replays). Failures are retried with exponential
// backoff; every attempt is in the delivery log; any delivery can be sent again (redelivery).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../graphql/logger.ts';
import type { MirrorStore } from './store.ts';
import type { ChangeEvent, Webhook, WebhookDelivery } from './types.ts';

export const SIGNATURE_HEADER = 'x-iiq-graph-signature';

export interface WebhookOptions {
  /** first retry delay; doubles per attempt */
  baseDelayMs: number;
  maxDelayMs: number;
  /** attempts before a delivery is marked failed (redeliver to try again) */
  maxAttempts: number;
  timeoutMs: number;
  /** how often due retries are looked for */
  pollMs: number;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = { baseDelayMs: 1000, maxDelayMs: 10 * 60_000, maxAttempts: 8, timeoutMs: 10_000, pollMs: 1000 };

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

  constructor(
    private readonly store: MirrorStore,
    private readonly connectionId: string,
    options: Partial<WebhookOptions> = {},
    private readonly logger?: Logger,
  ) {
    this.options = { ...DEFAULT_WEBHOOK_OPTIONS, ...options };
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
    const hooks = await this.store.listWebhooks({ connectionId: this.connectionId });
    if (hooks.length === 0) return;
    for (const h of hooks) while ((await this.store.enqueueDeliveries(h)) > 0);
    const now = Date.now();
    for (const h of hooks) {
      // in feed order: the endpoint's oldest pending event goes first; one not yet due (backing off) or
      // failing holds the later ones, so a receiver sees events in cursor order
      for (const d of await this.store.pendingDeliveries(h.id, 200)) {
        if (d.nextAttemptAt && Date.parse(d.nextAttemptAt) > now) break;
        if (!(await this.deliver(h, d))) break;
      }
    }
  }

  private async deliver(hook: Webhook, d: WebhookDelivery): Promise<boolean> {
    const event = await this.store.getChange(d.seq);
    if (!event) {
      await this.store.recordAttempt(d.id, { status: 'failed', responseStatus: null, error: 'event no longer stored', nextAttemptAt: null });
      return true;
    }
    const body = JSON.stringify(payloadOf(event));
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'iiq-graph-webhooks',
          [SIGNATURE_HEADER]: sign(hook.secret, body, Math.floor(Date.now() / 1000)),
          'x-iiq-graph-event-id': `evt_${event.seq}`,
          'x-iiq-graph-delivery': String(d.id),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined); // always consume the body
      if (res.ok) {
        await this.store.recordAttempt(d.id, { status: 'delivered', responseStatus: status, error: null, nextAttemptAt: null });
        return true;
      }
      error = `HTTP ${status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${(err as NodeJS.ErrnoException).code ?? err.message}` : 'request failed';
    }
    const attempts = d.attempts + 1;
    const final = attempts >= this.options.maxAttempts;
    const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempts - 1));
    await this.store.recordAttempt(d.id, {
      status: final ? 'failed' : 'pending',
      responseStatus: status,
      error,
      nextAttemptAt: final ? null : new Date(Date.now() + delay).toISOString(),
    });
    this.logger?.warn({ webhook: hook.id, delivery: d.id, attempts, error }, final ? 'webhook delivery failed for good' : 'webhook delivery failed; will retry');
    return false;
  }
}
