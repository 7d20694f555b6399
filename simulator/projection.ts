// `attributes` / `excludedAttributes` (RFC 7644 §3.9 as IIQ applies it, reference §4.5): short or full-URN
// paths; id, schemas and meta are always returned; request-only attributes of an extension (the User's roles
// and entitlements) are returned only when named by their full URN path.
import type { ResourceType } from './resources.ts';

const ALWAYS = new Set(['id', 'schemas', 'meta']);

export interface Selection {
  /** schema URN the attribute lives in */
  urn: string;
  /** canonical top-level attribute name; null = the whole extension object */
  name: string | null;
  sub: string | null;
  qualified: boolean;
}

export function splitList(raw: string | undefined): string[] {
  if (raw === undefined) return [];
  return raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
}

export function resolveSelection<T>(rt: ResourceType<T>, raw: string): Selection | null {
  const lower = raw.toLowerCase();
  const urns = [rt.coreUrn, ...rt.extensionUrns].sort((a, b) => b.length - a.length);
  for (const urn of urns) {
    const u = urn.toLowerCase();
    if (lower === u) return rt.extensionUrns.includes(urn) ? { urn, name: null, sub: null, qualified: true } : null;
    if (lower.startsWith(`${u}:`)) return named(rt, urn, raw.slice(urn.length + 1), true);
  }
  // unqualified: the core schema first (RFC 7643 §3.10), then default-returned extension attributes;
  // request-only extension attributes are NOT found this way (IIQ 8.4: `attributes=roles` returns no roles)
  const core = named(rt, rt.coreUrn, raw, false);
  if (core) return core;
  for (const urn of rt.extensionUrns) {
    const sel = named(rt, urn, raw, false);
    if (sel && !(rt.requestOnly[urn] ?? []).includes(sel.name ?? '')) return sel;
  }
  return null;
}

function named<T>(rt: ResourceType<T>, urn: string, path: string, qualified: boolean): Selection | null {
  const [first, ...rest] = path.split('.');
  const name = (rt.attributeNames[urn] ?? []).find((x) => x.toLowerCase() === (first ?? '').toLowerCase());
  if (!name) return null;
  return { urn, name, sub: rest.length > 0 ? rest.join('.') : null, qualified };
}

/** whether a request-only attribute is asked for (by full URN when it lives in an extension) */
export function wants<T>(rt: ResourceType<T>, attributes: string[], urn: string, name: string): boolean {
  return attributes.some((raw) => {
    const sel = resolveSelection(rt, raw);
    return sel !== null && sel.urn === urn && sel.name === name && (urn === rt.coreUrn || sel.qualified);
  });
}

function pickSub(value: unknown, sub: string): unknown {
  const pickOne = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const key = Object.keys(v).find((k) => k.toLowerCase() === sub.toLowerCase());
    return key === undefined ? {} : { [key]: (v as Record<string, unknown>)[key] };
  };
  return Array.isArray(value) ? value.map(pickOne) : pickOne(value);
}

function merge(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return a.map((x, i) => merge(x, b[i]));
  if (a && b && typeof a === 'object' && typeof b === 'object') return { ...(a as object), ...(b as object) };
  return b;
}

function removeSub(value: unknown, sub: string): unknown {
  const dropOne = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    const copy = { ...(v as Record<string, unknown>) };
    for (const k of Object.keys(copy)) if (k.toLowerCase() === sub.toLowerCase()) delete copy[k];
    return copy;
  };
  return Array.isArray(value) ? value.map(dropOne) : dropOne(value);
}

/** container key in the serialized object: core attributes are top-level, extensions under their URN */
function containerOf<T>(rt: ResourceType<T>, urn: string): string | null {
  return urn === rt.coreUrn ? null : urn;
}

export function project<T>(rt: ResourceType<T>, full: Record<string, unknown>, attributes: string[], excluded: string[]): Record<string, unknown> {
  const include = attributes.map((a) => resolveSelection(rt, a)).filter((x): x is Selection => x !== null);
  const exclude = excluded.map((a) => resolveSelection(rt, a)).filter((x): x is Selection => x !== null)
    .filter((x) => !include.some((i) => i.urn === x.urn && i.name === x.name && i.sub === x.sub));
  let out: Record<string, unknown>;
  if (attributes.length > 0) {
    out = {};
    for (const key of Object.keys(full)) {
      const value = full[key];
      if (ALWAYS.has(key)) {
        out[key] = value;
        continue;
      }
      if (rt.extensionUrns.includes(key)) {
        const ext = value as Record<string, unknown>;
        const sels = include.filter((s) => s.urn === key);
        if (sels.length === 0) continue;
        if (sels.some((s) => s.name === null)) {
          out[key] = ext;
          continue;
        }
        const picked: Record<string, unknown> = {};
        for (const k of Object.keys(ext)) {
          const mine = sels.filter((s) => s.name === k);
          if (mine.length === 0) continue;
          picked[k] = mine.some((s) => s.sub === null) ? ext[k] : mine.reduce<unknown>((acc, s) => merge(acc, pickSub(ext[k], s.sub as string)), undefined);
        }
        out[key] = picked;
        continue;
      }
      const mine = include.filter((s) => s.urn === rt.coreUrn && s.name === key);
      if (mine.length === 0) continue;
      out[key] = mine.some((s) => s.sub === null) ? value : mine.reduce<unknown>((acc, s) => merge(acc, pickSub(value, s.sub as string)), undefined);
    }
  } else {
    out = { ...full };
  }
  for (const sel of exclude) {
    if (sel.name !== null && ALWAYS.has(sel.name) && sel.urn === rt.coreUrn) continue;
    const container = containerOf(rt, sel.urn);
    if (container === null) {
      if (sel.name === null || !(sel.name in out)) continue;
      if (sel.sub === null) delete out[sel.name];
      else out[sel.name] = removeSub(out[sel.name], sel.sub);
    } else {
      const ext = out[container] as Record<string, unknown> | undefined;
      if (!ext) continue;
      if (sel.name === null) {
        delete out[container];
        continue;
      }
      const copy = { ...ext };
      if (sel.sub === null) delete copy[sel.name];
      else if (sel.name in copy) copy[sel.name] = removeSub(copy[sel.name], sel.sub);
      out[container] = copy;
    }
  }
  return out;
}
