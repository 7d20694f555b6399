// Webhooks in the graph, for the caller's connection (its mirror): `webhooks`, `webhookDeliveries` (a connection,
// newest first, filterable by status), `createWebhook` (the generated secret is returned once, never listed),
// `deleteWebhook`, `redeliverWebhookDelivery`. The URL is held to IIQ_GRAPH_ALLOWED_HOSTS (BAD_USER_INPUT);
// another connection's or tenant's webhook is NOT_FOUND; no mirror is MIRROR_NOT_ENABLED.
import { GraphQLError } from 'graphql';
import { UrlPolicyError } from '../connections/url-policy.ts';
import { builder } from '../graphql/builder.ts';
import type { GatewayContext } from '../graphql/context.ts';
import type { Row } from './db.ts';
import { DirectoryChangeType } from './graphql.ts';
import { mirrorOf, type ConnectionMirror } from './service.ts';
import { webhookView } from './webhooks.ts';
import { CHANGE_TYPES, type ChangeType, type DeliveryStatus, type Webhook, type WebhookDelivery } from './types.ts';

const gqlError = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });

/** What the API shows of an endpoint: never its secret. */
type WebhookView = Omit<Webhook, 'secret'>;

/** never the secret; a password in the URL's userinfo masked */
const view = (h: Webhook): WebhookView => webhookView(h);

function mirrorFor(ctx: GatewayContext): ConnectionMirror {
  const mirror = mirrorOf(ctx.conn);
  if (!mirror) throw gqlError('MIRROR_NOT_ENABLED', 'webhooks need the directory mirror of this connection (MIRROR=true)');
  return mirror;
}

/** the caller's endpoint (its tenant and connection), else NOT_FOUND */
async function hookOf(mirror: ConnectionMirror, id: string): Promise<Webhook> {
  const hook = (await mirror.store.listWebhooks({ tenantId: mirror.tenantId, connectionId: mirror.connectionId })).find((h) => h.id === id);
  if (!hook) throw gqlError('NOT_FOUND', 'no such webhook');
  return hook;
}

function toDelivery(r: Row): WebhookDelivery {
  const n = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const s = (v: unknown) => (v === null || v === undefined ? null : String(v));
  return {
    id: Number(r.id), webhookId: String(r.webhook_id), seq: Number(r.seq), type: String(r.type) as ChangeType, attempts: Number(r.attempts),
    status: String(r.status) as DeliveryStatus, responseStatus: n(r.response_status), error: s(r.error), nextAttemptAt: s(r.next_attempt_at),
    createdAt: String(r.created_at), deliveredAt: s(r.delivered_at),
  };
}

const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  values: {
    PENDING: { value: 'pending', description: 'queued or backing off before the next attempt' },
    DELIVERED: { value: 'delivered', description: 'the endpoint answered 2xx' },
    FAILED: { value: 'failed', description: 'gave up after the last attempt (redeliver to try again)' },
  } as const,
});

const WebhookRef = builder.objectRef<WebhookView>('Webhook').implement({
  description: 'An endpoint that receives the connection\'s directory changes as signed POSTs (X-IIQ-Graph-Signature)',
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.exposeString('url'),
    types: t.field({ type: [DirectoryChangeType], nullable: true, description: 'the change types it receives; null: all', resolve: (h) => h.types }),
    createdAt: t.field({ type: 'DateTime', resolve: (h) => h.createdAt }),
    lastCursor: t.string({ description: 'the change feed position up to which events are queued for it', resolve: (h) => String(h.lastSeq) }),
  }),
});

const WebhookDeliveryRef = builder.objectRef<WebhookDelivery>('WebhookDelivery').implement({
  description: 'One event for one endpoint; every attempt updates it (at least once: dedupe on eventId)',
  fields: (t) => ({
    id: t.id({ description: 'also sent as X-IIQ-Graph-Delivery', resolve: (d) => String(d.id) }),
    webhookId: t.id({ resolve: (d) => d.webhookId }),
    eventId: t.string({ description: 'evt_<cursor>: the body\'s id, X-IIQ-Graph-Event-Id and Idempotency-Key of every copy', resolve: (d) => `evt_${d.seq}` }),
    cursor: t.string({ resolve: (d) => String(d.seq) }),
    type: t.field({ type: DirectoryChangeType, resolve: (d) => d.type }),
    status: t.field({ type: WebhookDeliveryStatusEnum, resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts'),
    responseStatus: t.exposeInt('responseStatus', { nullable: true, description: 'HTTP status of the last attempt' }),
    error: t.exposeString('error', { nullable: true, description: 'why the last attempt failed' }),
    nextAttemptAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.nextAttemptAt }),
    createdAt: t.field({ type: 'DateTime', resolve: (d) => d.createdAt }),
    deliveredAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.deliveredAt }),
  }),
});

const CreateWebhookPayloadRef = builder.objectRef<{ webhook: WebhookView; secret: string | null }>('CreateWebhookPayload').implement({
  fields: (t) => ({
    webhook: t.field({ type: WebhookRef, resolve: (p) => p.webhook }),
    secret: t.string({
      nullable: true,
      description: 'the generated signing secret, shown this once (null when you supplied one); verify X-IIQ-Graph-Signature with it',
      resolve: (p) => p.secret,
    }),
  }),
});

const CreateWebhookInput = builder.inputType('CreateWebhookInput', {
  fields: (t) => ({
    url: t.string({ required: true, description: 'https (http only for a host listed in IIQ_GRAPH_ALLOWED_HOSTS); no internal addresses' }),
    secret: t.string({ description: 'signing secret (16-256 characters); generated when omitted' }),
    types: t.field({ type: [DirectoryChangeType], description: 'only these change types; omitted or empty: all' }),
  }),
});

builder.queryField('webhooks', (t) =>
  t.field({
    type: [WebhookRef],
    description: 'The webhook endpoints of this connection (secrets are never listed)',
    resolve: async (_root, _args, ctx) => {
      const mirror = mirrorFor(ctx);
      return (await mirror.store.listWebhooks({ tenantId: mirror.tenantId, connectionId: mirror.connectionId })).map(view);
    },
  }),
);

const MAX_PAGE = 500;

builder.queryField('webhookDeliveries', (t) =>
  t.connection(
    {
      type: WebhookDeliveryRef,
      description: 'The delivery log of one endpoint, newest first (page forward with first / after)',
      args: {
        webhookId: t.arg.id({ required: true }),
        status: t.arg({ type: WebhookDeliveryStatusEnum, required: false }),
      },
      resolve: async (_root, args, ctx) => {
        const mirror = mirrorFor(ctx);
        const hook = await hookOf(mirror, String(args.webhookId));
        if (args.last != null || args.before != null) throw gqlError('BAD_USER_INPUT', 'the delivery log pages forward only (first / after)');
        const first = args.first ?? 50;
        if (first < 0 || first > MAX_PAGE) throw gqlError('BAD_USER_INPUT', `first must be between 0 and ${MAX_PAGE}`);
        if (args.after != null && !/^\d{1,15}$/.test(args.after)) throw gqlError('BAD_USER_INPUT', 'after must be a cursor returned by webhookDeliveries');
        const status = args.status ?? null;
        const where = `webhook_id = ?${status ? ' AND status = ?' : ''}`;
        const params: unknown[] = [hook.id, ...(status ? [status] : [])];
        const rows = await mirror.store.db.all(
          `SELECT * FROM mirror_webhook_deliveries WHERE ${where}${args.after != null ? ' AND id < ?' : ''} ORDER BY id DESC LIMIT ?`,
          [...params, ...(args.after != null ? [Number(args.after)] : []), first + 1],
        );
        const page = rows.slice(0, first).map(toDelivery);
        const total = Number((await mirror.store.db.all(`SELECT COUNT(*) AS n FROM mirror_webhook_deliveries WHERE ${where}`, params))[0]?.n ?? 0);
        return {
          edges: page.map((d) => ({ cursor: String(d.id), node: d })),
          pageInfo: {
            hasNextPage: rows.length > first,
            hasPreviousPage: args.after != null,
            startCursor: page[0] ? String(page[0].id) : null,
            endCursor: page.length ? String(page[page.length - 1]!.id) : (args.after ?? null),
          },
          totalCount: total,
        };
      },
    },
    { name: 'WebhookDeliveryConnection' },
    { name: 'WebhookDeliveryEdge' },
  ),
);

builder.mutationField('createWebhook', (t) =>
  t.field({
    type: CreateWebhookPayloadRef,
    description: 'Adds an endpoint for this connection\'s changes from now on; returns the generated secret once',
    args: { input: t.arg({ type: CreateWebhookInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const mirror = mirrorFor(ctx);
      if (input.url.length > 2048) throw gqlError('BAD_USER_INPUT', 'url must be at most 2048 characters');
      if (input.secret != null && (input.secret.length < 16 || input.secret.length > 256)) throw gqlError('BAD_USER_INPUT', 'secret must be 16 to 256 characters');
      try {
        await mirror.webhooks.assertUrlAllowed(input.url);
      } catch (err) {
        if (err instanceof UrlPolicyError) throw gqlError('BAD_USER_INPUT', err.message);
        throw err;
      }
      const types = (input.types ?? []).filter((x): x is ChangeType => (CHANGE_TYPES as readonly string[]).includes(x));
      const hook = await mirror.store.createWebhook({
        tenantId: mirror.tenantId,
        connectionId: mirror.connectionId,
        url: new URL(input.url).href,
        types,
        ...(input.secret != null ? { secret: input.secret } : {}),
      });
      return { webhook: view(hook), secret: input.secret == null ? hook.secret : null };
    },
  }),
);

builder.mutationField('deleteWebhook', (t) =>
  t.id({
    description: 'Removes an endpoint and its delivery log; returns its id',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const mirror = mirrorFor(ctx);
      const hook = await hookOf(mirror, String(id));
      await mirror.store.deleteWebhook(mirror.tenantId, hook.id);
      return hook.id;
    },
  }),
);

builder.mutationField('redeliverWebhookDelivery', (t) =>
  t.field({
    type: WebhookDeliveryRef,
    description: 'Sends a delivery again (same event id): back to PENDING, due now',
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      const mirror = mirrorFor(ctx);
      const key = String(id);
      if (!/^\d{1,15}$/.test(key)) throw gqlError('NOT_FOUND', 'no such webhook delivery');
      const row = (await mirror.store.db.all('SELECT * FROM mirror_webhook_deliveries WHERE id = ?', [Number(key)]))[0];
      const hooks = await mirror.store.listWebhooks({ tenantId: mirror.tenantId, connectionId: mirror.connectionId });
      if (!row || !hooks.some((h) => h.id === String(row.webhook_id))) throw gqlError('NOT_FOUND', 'no such webhook delivery');
      await mirror.store.redeliver(String(row.webhook_id), Number(key));
      const updated = (await mirror.store.db.all('SELECT * FROM mirror_webhook_deliveries WHERE id = ?', [Number(key)]))[0];
      void mirror.webhooks.poke(); // the lease owner sends it (another replica's poke does nothing; its poller will)
      return toDelivery(updated ?? row);
    },
  }),
);
