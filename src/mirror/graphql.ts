// The mirror in the graph: `syncStatus`, the `changes` feed (cursor = the event's sequence number), and
// `User.permissions` from the access mapping. Mirror-served reads are chosen per request with the
// `X-IIQ-Consistency: mirror` header (consistency.ts), not here.
import { GraphQLError } from 'graphql';
import { builder } from '../graphql/builder.ts';
import type { GatewayContext } from '../graphql/context.ts';
import { UserRef } from '../graphql/types/refs.ts';
import { accessOf, mirrorOf, type MirrorStatus } from './service.ts';
import { CHANGE_TYPES, type ChangeEvent, type ChangeType, type SyncRun } from './types.ts';

const mirrorError = (code: string, message: string) => new GraphQLError(message, { extensions: { code } });

const enumName = (t: string) => t.replace('.', '_').toUpperCase();

export const DirectoryChangeType = builder.enumType('DirectoryChangeType', {
  description: 'What changed in the directory mirror',
  values: Object.fromEntries(CHANGE_TYPES.map((t) => [enumName(t), { value: t }])) as Record<string, { value: ChangeType }>,
});

const DirectoryChangeRef = builder.objectRef<ChangeEvent>('DirectoryChange').implement({
  description: 'One change seen by the directory mirror; ids and names only (read the object for its attributes)',
  fields: (t) => ({
    cursor: t.string({ description: 'Position in the feed; increases monotonically', resolve: (e) => String(e.seq) }),
    type: t.field({ type: DirectoryChangeType, resolve: (e) => e.type }),
    objectId: t.exposeString('objectId', { description: 'user id, role id, or "userId/roleId" for memberships' }),
    occurredAt: t.field({ type: 'DateTime', description: 'when the mirror recorded the change', resolve: (e) => e.occurredAt }),
    data: t.field({ type: 'JSON', resolve: (e) => e.data }),
  }),
});

const SyncRunRef = builder.objectRef<SyncRun>('SyncRun').implement({
  fields: (t) => ({
    id: t.exposeInt('id'),
    kind: t.exposeString('kind', { description: 'full, incremental, deletions or roles' }),
    status: t.exposeString('status', { description: 'running, succeeded or failed' }),
    startedAt: t.field({ type: 'DateTime', resolve: (r) => r.startedAt }),
    endedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.endedAt }),
    counts: t.field({ type: 'JSON', description: 'fetched, created, updated, unchanged, deleted, membershipsAdded, membershipsRemoved', resolve: (r) => r.counts }),
    error: t.exposeString('error', { nullable: true }),
  }),
});

const MirrorSyncState = builder.enumType('MirrorSyncState', {
  values: { DISABLED: { value: 'disabled' }, EMPTY: { value: 'empty' }, SYNCING: { value: 'syncing' }, READY: { value: 'ready' } } as const,
});

type SyncStatusShape = (MirrorStatus & { enabled: true }) | { enabled: false };

const SyncStatusRef = builder.objectRef<SyncStatusShape>('SyncStatus').implement({
  description: 'The directory mirror of this connection',
  fields: (t) => {
    const on = <K extends keyof MirrorStatus>(s: SyncStatusShape, k: K): MirrorStatus[K] | null => (s.enabled ? s[k] : null);
    return {
      enabled: t.exposeBoolean('enabled'),
      state: t.field({ type: MirrorSyncState, resolve: (s) => (s.enabled ? s.state : 'disabled') }),
      syncedAt: t.field({ type: 'DateTime', nullable: true, description: 'when the mirror last caught up with IdentityIQ', resolve: (s) => on(s, 'syncedAt') }),
      ageSeconds: t.int({ nullable: true, description: 'age of the mirrored data', resolve: (s) => on(s, 'ageSeconds') }),
      fullSyncedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => on(s, 'fullSyncedAt') }),
      lastIncrementalAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => on(s, 'lastIncrementalAt') }),
      lastDeletionScanAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => on(s, 'lastDeletionScanAt') }),
      lastRolesAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => on(s, 'lastRolesAt') }),
      watermark: t.field({ type: 'DateTime', nullable: true, description: 'highest IdentityIQ lastModified mirrored', resolve: (s) => on(s, 'watermark') }),
      users: t.int({ resolve: (s) => on(s, 'users') ?? 0 }),
      roles: t.int({ resolve: (s) => on(s, 'roles') ?? 0 }),
      memberships: t.int({ resolve: (s) => on(s, 'memberships') ?? 0 }),
      lastCursor: t.string({ nullable: true, description: 'the newest change feed cursor', resolve: (s) => on(s, 'lastCursor') }),
      running: t.string({ nullable: true, description: 'kind of the run in progress', resolve: (s) => on(s, 'running')?.kind ?? null }),
      lastRun: t.field({ type: SyncRunRef, nullable: true, resolve: (s) => on(s, 'lastRun') }),
      lastError: t.string({ nullable: true, resolve: (s) => on(s, 'lastError') }),
    };
  },
});

builder.queryField('syncStatus', (t) =>
  t.field({
    type: SyncStatusRef,
    description: 'The directory mirror of this connection: state, data age, counts, last run',
    resolve: async (_root, _args, ctx) => {
      const mirror = mirrorOf(ctx.conn);
      return mirror ? { ...(await mirror.status()), enabled: true as const } : { enabled: false as const };
    },
  }),
);

const MAX_FEED_PAGE = 1000;

function parseCursor(after: string | null | undefined): number {
  if (after == null || after === '') return 0;
  if (!/^\d{1,15}$/.test(after)) throw mirrorError('BAD_USER_INPUT', 'after must be a cursor returned by changes (or syncStatus.lastCursor)');
  return Number(after);
}

builder.queryField('changes', (t) =>
  t.connection(
    {
      type: DirectoryChangeRef,
      description: 'The directory change feed in cursor order (forward only): page with first / after; resume with the last cursor you processed',
      args: { types: t.arg({ type: [DirectoryChangeType], required: false, description: 'only these kinds of change' }) },
      resolve: async (_root, args, ctx: GatewayContext) => {
        const mirror = mirrorOf(ctx.conn);
        if (!mirror) throw mirrorError('MIRROR_NOT_ENABLED', 'the directory mirror is not enabled for this connection (MIRROR=true)');
        if (args.last != null || args.before != null) throw mirrorError('BAD_USER_INPUT', 'the change feed pages forward only (first / after)');
        const first = args.first ?? 100;
        if (first < 0 || first > MAX_FEED_PAGE) throw mirrorError('BAD_USER_INPUT', `first must be between 0 and ${MAX_FEED_PAGE}`);
        const after = parseCursor(args.after);
        const types = args.types ?? null;
        const events = await mirror.store.listChanges(mirror.connectionId, { after, types, limit: first + 1 });
        const page = events.slice(0, first);
        return {
          edges: page.map((e) => ({ cursor: String(e.seq), node: e })),
          pageInfo: {
            hasNextPage: events.length > first,
            hasPreviousPage: after > 0,
            startCursor: page[0] ? String(page[0].seq) : null,
            // an empty page keeps the caller's position
            endCursor: page.length ? String(page[page.length - 1]!.seq) : (args.after ?? null),
          },
          totalCount: await mirror.store.countChanges(mirror.connectionId, { after, types }),
        };
      },
    },
    { name: 'DirectoryChangeConnection' },
    { name: 'DirectoryChangeEdge' },
  ),
);

builder.objectField(UserRef, 'permissions', (t) =>
  t.stringList({
    description: "The vendor permissions this user's roles grant, from the access mapping (sorted, unique)",
    resolve: async (user, _args, ctx) => {
      const mapping = await accessOf(ctx.conn);
      if (!mapping || mapping.rules.length === 0) return [];
      const withRoles = user.roles ? user : await ctx.loaders.userById(user.id, { fields: new Set(), roles: true, key: '|R' });
      if (!withRoles?.roles) return [];
      const catalog = await ctx.conn.catalog.get();
      return mapping.forUser(withRoles, (id) => catalog.byId.get(id)?.name ?? null);
    },
  }),
);
