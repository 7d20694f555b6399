// Relay global ids: base64("Type:remoteId"), the Pothos default encoding, decoded strictly.
import { badUserInput } from './errors.ts';

export const NODE_TYPES = ['User', 'Role', 'Account', 'Application', 'Entitlement', 'PolicyViolation'] as const;
export type NodeTypeName = (typeof NODE_TYPES)[number];

export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return Buffer.from(`${typename}:${id}`, 'utf8').toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** null when the string is not a global id of a known node type */
export function tryDecodeGlobalId(globalId: string): { typename: NodeTypeName; id: string } | null {
  if (!BASE64.test(globalId) || globalId.length % 4 !== 0) return null;
  const text = Buffer.from(globalId, 'base64').toString('utf8');
  const sep = text.indexOf(':');
  if (sep < 0) return null;
  const typename = text.slice(0, sep);
  const id = text.slice(sep + 1);
  if (!id || !(NODE_TYPES as readonly string[]).includes(typename)) return null;
  if (encodeGlobalId(typename, id) !== globalId) return null; // non-canonical encodings are not ours
  return { typename: typename as NodeTypeName, id };
}

export function decodeGlobalId(globalId: string): { typename: NodeTypeName; id: string } {
  const decoded = tryDecodeGlobalId(globalId);
  if (!decoded) throw badUserInput('not a valid node id', { argument: 'id' });
  return decoded;
}

/**
 * Accepts a global id of `expected` or a raw IIQ id (remoteId). A global id of another type is an input error.
 */
export function remoteIdFrom(value: string, expected: NodeTypeName, argument: string): string {
  const decoded = tryDecodeGlobalId(value);
  if (!decoded) {
    if (!value.trim()) throw badUserInput(`${argument} must not be empty`, { argument });
    return value;
  }
  if (decoded.typename !== expected) throw badUserInput(`${argument} is a ${decoded.typename} id, expected a ${expected} id`, { argument });
  return decoded.id;
}
