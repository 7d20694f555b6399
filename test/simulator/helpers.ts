// Shared helpers for the simulator's own tests: real HTTP on 127.0.0.1, port 0.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSimulator, type Simulator, type SimulatorOptions } from '../../simulator/index.ts';

/** verbatim excerpt of SailPoint's IIQ SCIM 8.3 OpenAPI (the full spec lives outside the repo) */
const SPEC_PATH = fileURLToPath(new URL('./fixtures/iiq-scim-8.3.openapi.excerpt.yaml', import.meta.url));

export const SP = 'urn:ietf:params:scim:schemas:sailpoint:1.0:User';
export const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ERROR_URN = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const LIST_URN = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

export const ADMIN = basic('spadmin', 'admin');

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const sim = createSimulator({ users: 200, ...options });
  await sim.listen(0);
  return sim;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: test convenience
  json: any;
}

export async function call(
  sim: Simulator,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; auth?: string | null } = {},
): Promise<JsonResponse> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.auth !== null) headers['authorization'] = init.auth ?? ADMIN;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/scim+json';
  }
  const res = await fetch(`${sim.baseUrl}${path}`, { method: init.method ?? 'GET', headers, body });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export function q(params: Record<string, string | number>): string {
  return `?${new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString()}`;
}

/**
 * Top-level property names and declared types of a component schema in SailPoint's OpenAPI spec, read with a small
 * indentation-based scan (the spec's response schemas list no `required` arrays; their properties are what we check).
 */
export function specProperties(schemaName: string): Map<string, string | null> {
  const lines = readFileSync(SPEC_PATH, 'utf8').split(/\r?\n/);
  const start = lines.findIndex((l) => l === `    ${schemaName}:`);
  if (start < 0) throw new Error(`schema ${schemaName} not in the spec`);
  const props = new Map<string, string | null>();
  let inProps = false;
  let current: string | null = null;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i] as string;
    if (/^ {4}\S/.test(line)) break; // next component schema
    if (line === '      properties:') {
      inProps = true;
      continue;
    }
    if (/^ {6}\S/.test(line)) inProps = false;
    if (!inProps) continue;
    const prop = /^ {8}'?([^'\s:][^']*?)'?:\s*$/.exec(line);
    if (prop) {
      current = prop[1] as string;
      props.set(current, null);
      continue;
    }
    const type = /^ {10}type:\s*(\w+)/.exec(line);
    if (type && current && props.get(current) === null) props.set(current, type[1] as string);
  }
  return props;
}

export function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
