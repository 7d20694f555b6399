// An upstream that answers instantly: a recording proxy in front of the simulator. The first request for a
// method + URL (+ If-None-Match) goes to the simulator; every later one is replayed from memory, so the
// gateways' own cost is what is measured. Counts every request it answers, by path, for both gateways.
// Run as its own process (its CPU is not the gateway's): prints "REPLAY <baseUrl> <adminUrl>".
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = process.argv[2];
if (!upstream) throw new Error('usage: replay.ts <simulator SCIM base URL>');
const upstreamUrl = new URL(upstream);
const basePath = upstreamUrl.pathname.replace(/\/+$/, '');

interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const recorded = new Map<string, Promise<Recorded>>();
let counts: Record<string, number> = {};
let total = 0;

const KEEP = ['content-type', 'etag', 'location'];

async function record(method: string, path: string, headers: Record<string, string>): Promise<Recorded> {
  const res = await fetch(new URL(path, upstreamUrl.origin), { method, headers });
  const body = Buffer.from(await res.arrayBuffer());
  const kept: Record<string, string> = {};
  for (const h of KEEP) {
    const v = res.headers.get(h);
    if (v) kept[h] = v;
  }
  return { status: res.status, headers: kept, body };
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  if (url.startsWith('/__replay/requests')) {
    if (req.method === 'DELETE') {
      counts = {};
      total = 0;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ total, byPath: counts }));
    return;
  }
  req.resume();
  const path = url.split('?', 1)[0]!.slice(basePath.length) || '/';
  // group /Users/{id} and /Roles/{name} so the counts read as "list" vs "one GET per row"
  const group = path.replace(/^\/(Users|Roles)\/.+$/, '/$1/{id}');
  counts[`${req.method} ${group}`] = (counts[`${req.method} ${group}`] ?? 0) + 1;
  total++;
  const inm = req.headers['if-none-match'];
  const key = `${req.method} ${url} ${inm ?? ''}`;
  let hit = recorded.get(key);
  if (!hit) {
    const headers: Record<string, string> = { accept: 'application/scim+json' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    if (typeof inm === 'string') headers['if-none-match'] = inm;
    hit = record(req.method ?? 'GET', url, headers);
    recorded.set(key, hit);
  }
  hit.then(
    (r) => res.writeHead(r.status, { ...r.headers, 'content-length': String(r.body.length) }).end(r.body),
    () => res.writeHead(502).end(),
  );
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`REPLAY http://127.0.0.1:${port}${basePath} http://127.0.0.1:${port}/__replay/requests\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
