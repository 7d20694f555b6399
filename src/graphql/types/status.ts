// Operational status visible to clients: how far the role membership index is.
import type { MembershipIndexStatus } from '../membership-index.ts';
import { builder } from '../builder.ts';

const MembershipIndexState = builder.enumType('MembershipIndexState', {
  values: { IDLE: { value: 'idle' }, BUILDING: { value: 'building' }, READY: { value: 'ready' }, REFRESHING: { value: 'refreshing' }, FAILED: { value: 'failed' }, STOPPED: { value: 'stopped' } } as const,
});

const MembershipIndexStatusRef = builder.objectRef<MembershipIndexStatus>('MembershipIndexStatus').implement({
  description: 'The role membership index behind Role.members',
  fields: (t) => ({
    state: t.field({ type: MembershipIndexState, resolve: (s) => s.state }),
    scannedUsers: t.exposeInt('scannedUsers', { description: 'users scanned by the current (or last) scan' }),
    totalUsers: t.exposeInt('totalUsers', { nullable: true }),
    startedAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.startedAt }),
    indexedAt: t.field({ type: 'DateTime', nullable: true, description: 'completion of the scan currently served', resolve: (s) => s.indexedAt }),
  }),
});

builder.queryField('membershipIndex', (t) =>
  t.field({ type: MembershipIndexStatusRef, resolve: (_root, _args, ctx) => ctx.conn.membership.status() }),
);
