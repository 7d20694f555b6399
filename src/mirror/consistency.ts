// Read consistency per request: `X-IIQ-Consistency: mirror` serves the whole request (GraphQL or the unified
// REST face) from the directory mirror — user(userName), user.roles, role.members, users with filters — and
// reports the data's age in `extensions.consistency`; `live` (the default) reads IdentityIQ. A header rather
// than a directive: it applies to REST as well, needs no schema change, and proxies can set it per client.
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { createRequestContext, type GatewayContext } from '../graphql/context.ts';
import { mirrorOf, mirrorServedConnection, type ConnectionMirror } from './service.ts';

export const CONSISTENCY_HEADER = 'x-iiq-consistency';

export type Consistency = 'live' | 'mirror';

/** The mode a request asks for; an unknown value is an error (a typo must not silently read live data). */
export function requestedConsistency(request: Request): Consistency {
  const raw = request.headers.get(CONSISTENCY_HEADER);
  if (raw === null || raw.trim() === '') return 'live';
  const v = raw.trim().toLowerCase();
  if (v === 'live' || v === 'mirror') return v;
  throw new GraphQLError(`${CONSISTENCY_HEADER} must be "live" or "mirror"`, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
}

/** marks a context served from the mirror (a property: Yoga copies the context object, so identity is lost) */
const SERVED_FROM = Symbol('iiq-graph.mirror');

/** The mirror a request is ready to read from, or an error saying why it cannot be. */
export function mirrorForRead(conn: GatewayContext['conn']): ConnectionMirror {
  const mirror = mirrorOf(conn);
  if (!mirror) throw new GraphQLError('the directory mirror is not enabled for this connection (start with MIRROR=true)', { extensions: { code: 'MIRROR_NOT_ENABLED' } });
  if (!mirror.syncedAt()) throw new GraphQLError('the directory mirror has not completed its first full sync yet', { extensions: { code: 'MIRROR_NOT_READY' } });
  return mirror;
}

/** The request's context, switched to mirror reads when the header asks for them. */
export function withConsistency(ctx: GatewayContext, request: Request): GatewayContext {
  if (requestedConsistency(request) === 'live') return ctx;
  const mirror = mirrorForRead(ctx.conn);
  // one object, no copies: this runs on every mirror-served request
  const served = createRequestContext(mirrorServedConnection(ctx.conn, mirror), ctx.signal) as { -readonly [K in keyof GatewayContext]: GatewayContext[K] } & { [SERVED_FROM]?: ConnectionMirror };
  if (ctx.linked) served.linked = ctx.linked;
  served[SERVED_FROM] = mirror;
  return served;
}

export function consistencyExtension(mirror: ConnectionMirror): { mode: 'MIRROR'; syncedAt: string | null; ageSeconds: number | null } {
  const at = mirror.syncedAt();
  return { mode: 'MIRROR', syncedAt: at?.toISOString() ?? null, ageSeconds: at ? Math.max(0, Math.round((Date.now() - at.getTime()) / 1000)) : null };
}

/** Adds `extensions.consistency` ({ mode, syncedAt, ageSeconds }) to results served from the mirror. */
export function useMirrorConsistency(): Plugin {
  return {
    onExecute({ args }) {
      const mirror = (args.contextValue as { [SERVED_FROM]?: ConnectionMirror } | undefined)?.[SERVED_FROM];
      if (!mirror) return;
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in (result as object)) return;
          const r = result as { extensions?: Record<string, unknown> };
          setResult({ ...(result as object), extensions: { ...(r.extensions ?? {}), consistency: consistencyExtension(mirror) } } as typeof result);
        },
      };
    },
  };
}
