// Public shapes of the directory mirror: change events, membership edges, sync runs, state, webhooks.
import type { RoleAcquired } from '../iiq/types.ts';

export const CHANGE_TYPES = [
  'user.created',
  'user.updated',
  'user.deleted',
  'role.created',
  'role.updated',
  'role.deleted',
  'membership.added',
  'membership.removed',
] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export interface ChangeEvent {
  /** monotonically increasing per mirror database; the feed's cursor */
  seq: number;
  connectionId: string;
  type: ChangeType;
  /** user id, role id, or `userId/roleId` for memberships */
  objectId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export interface MembershipEdge {
  userId: string;
  userName: string;
  roleId: string;
  acquired: RoleAcquired;
  application: string | null;
  accountName: string | null;
}

export type SyncKind = 'full' | 'incremental' | 'deletions' | 'roles';
export type RunStatus = 'running' | 'succeeded' | 'failed';

export interface SyncCounts {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  membershipsAdded: number;
  membershipsRemoved: number;
  requests?: number;
}

export interface SyncRun {
  id: number;
  connectionId: string;
  kind: SyncKind;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  counts: SyncCounts;
  error: string | null;
}

export interface MirrorState {
  /** highest upstream `lastModified` mirrored (upstream clock) */
  watermark: string | null;
  fullSyncedAt: string | null;
  lastIncrementalAt: string | null;
  lastDeletionScanAt: string | null;
  lastRolesAt: string | null;
  /** an unfinished full sync: its run and the last userName committed (resume point) */
  fullSync: { runId: number; after: string | null; startedAt: string } | null;
}

export const emptyCounts = (): SyncCounts => ({ fetched: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, membershipsAdded: 0, membershipsRemoved: 0 });

export interface Webhook {
  id: string;
  tenantId: string;
  connectionId: string;
  url: string;
  /** HMAC-SHA256 key; returned once at creation */
  secret: string;
  /** null = every type */
  types: ChangeType[] | null;
  createdAt: string;
  /** the feed position up to which events were queued for delivery */
  lastSeq: number;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  id: number;
  webhookId: string;
  seq: number;
  type: ChangeType;
  attempts: number;
  status: DeliveryStatus;
  responseStatus: number | null;
  error: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}
