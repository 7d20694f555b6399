// `npm run simulator -- --port 8080 --users 2000 --seed 42 --profile realistic --admin`
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULTS, DEMO_IDENTITIES, createSimulator } from './index.ts';
import type { SimulatorOptions } from './types.ts';

function int(name: string, min: number) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer >= ${min}`);
    return n;
  };
}

const program = new Command()
  .name('iiq-simulator')
  .description('A faithful SailPoint IdentityIQ SCIM 2.0 simulator (demo data, quirks, latency, faults).')
  .option('--port <port>', 'port to listen on (0 = any free port)', int('port', 0), 8080)
  .option('--host <host>', 'interface to bind', '127.0.0.1')
  .option('--users <n>', 'number of identities', int('users', 1), DEFAULTS.users)
  .option('--seed <n>', 'data seed (same seed, same data and ids)', int('seed', 0), DEFAULTS.seed)
  .addOption(new Option('--profile <profile>', 'latency profile').choices(['zero', 'realistic']).default('zero'))
  .option('--base-ms <ms>', 'override: base latency per request', int('base-ms', 0))
  .option('--per-item-ms <ms>', 'override: latency per returned item', int('per-item-ms', 0))
  .option('--per-item-roles-ms <ms>', 'override: extra latency per item when roles/entitlements are requested', int('per-item-roles-ms', 0))
  .option('--max-concurrent <n>', 'requests served at once (the rest queue)', int('max-concurrent', 1))
  .option('--context-root <path>', 'IIQ web application context root', DEFAULTS.contextRoot)
  .option('--basic-user <name>', 'HTTP Basic user name', DEFAULTS.basic.username)
  .option('--basic-password <password>', 'HTTP Basic password', DEFAULTS.basic.password)
  .option('--client-id <id>', 'OAuth2 client id', DEFAULTS.oauth.clientId)
  .option('--client-secret <secret>', 'OAuth2 client secret', DEFAULTS.oauth.clientSecret)
  .option('--token-ttl <seconds>', 'OAuth2 access token lifetime', int('token-ttl', 1), DEFAULTS.oauth.tokenTtlSeconds)
  .option('--max-results <n>', 'scimSearchMaxResults', int('max-results', 1), DEFAULTS.maxResults)
  .option('--id-filterable', 'allow `id` in filters and sortBy (7.2 rejects it)', false)
  .option('--admin', 'enable the admin endpoint /__admin (faults, request log)', false)
  .option('--tls-key <file>', 'PEM private key: serve HTTPS')
  .option('--tls-cert <file>', 'PEM certificate: serve HTTPS');

program.parse();
const o = program.opts<{
  port: number; host: string; users: number; seed: number; profile: 'zero' | 'realistic'; baseMs?: number; perItemMs?: number;
  perItemRolesMs?: number; maxConcurrent?: number; contextRoot: string; basicUser: string; basicPassword: string; clientId: string;
  clientSecret: string; tokenTtl: number; maxResults: number; idFilterable: boolean; admin: boolean; tlsKey?: string; tlsCert?: string;
}>();

if ((o.tlsKey === undefined) !== (o.tlsCert === undefined)) program.error('--tls-key and --tls-cert go together');

const latency: NonNullable<SimulatorOptions['latency']> = {};
if (o.baseMs !== undefined) latency.baseMs = o.baseMs;
if (o.perItemMs !== undefined) latency.perItemMs = o.perItemMs;
if (o.perItemRolesMs !== undefined) latency.perItemRolesMs = o.perItemRolesMs;

const started = Date.now();
const sim = createSimulator({
  users: o.users,
  seed: o.seed,
  profile: o.profile,
  latency,
  ...(o.maxConcurrent !== undefined ? { maxConcurrent: o.maxConcurrent } : {}),
  contextRoot: o.contextRoot,
  basic: { username: o.basicUser, password: o.basicPassword },
  oauth: { clientId: o.clientId, clientSecret: o.clientSecret, tokenTtlSeconds: o.tokenTtl },
  maxResults: o.maxResults,
  idFilterable: o.idFilterable,
  admin: o.admin,
  ...(o.tlsKey && o.tlsCert ? { tls: { key: readFileSync(o.tlsKey, 'utf8'), cert: readFileSync(o.tlsCert, 'utf8') } } : {}),
});
const generatedMs = Date.now() - started;
const { url, baseUrl } = await sim.listen(o.port, o.host).catch((err: NodeJS.ErrnoException) => {
  process.stderr.write(`cannot listen on ${o.host}:${o.port}: ${err.code ?? err.message}\n`);
  process.exit(1);
});
const tokenUrl = `${url}${o.contextRoot.replace(/\/+$/, '')}/oauth2/token`;

process.stdout.write(
  [
    `IIQ SCIM simulator: ${sim.data.users.length} identities, ${sim.data.roles.length} roles, ${sim.data.accounts.length} accounts (seed ${o.seed}, generated in ${generatedMs} ms, profile ${o.profile})`,
    `  SCIM base URL   ${baseUrl}`,
    `  Basic auth      ${o.basicUser} / ${o.basicPassword}   (also ${DEMO_IDENTITIES.scimService.userName} / ${DEMO_IDENTITIES.scimService.password}, SCIMExecutor)`,
    `  No SCIM rights  ${DEMO_IDENTITIES.noRights.userName} / ${DEMO_IDENTITIES.noRights.password}   (gets 401)`,
    `  OAuth2 token    POST ${tokenUrl}  client ${o.clientId} / ${o.clientSecret}, grant_type=client_credentials, ttl ${o.tokenTtl} s`,
    o.admin ? `  Admin           ${url}/__admin/faults  ${url}/__admin/requests` : '  Admin           off (--admin to enable)',
    '',
  ].join('\n'),
);

const stop = (): void => {
  void sim.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
