// The connection check: reachable, TLS trusted, ServiceProviderConfig read, credentials accepted, Users and
// Roles readable. Each step is recorded with a message safe to show (no credentials, no upstream details).
import { IiqError } from '../iiq/errors.ts';
import type { IiqClient } from '../iiq/types.ts';
import type { CheckStep, CheckStepName, ConnectionCheck } from './types.ts';

const TLS_CODE = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|HOSTNAME/i;

function transportStep(err: IiqError, https: boolean): { step: CheckStepName; message: string } {
  const code = err.code ?? '';
  if (https && TLS_CODE.test(code)) {
    return { step: 'tls', message: `the server's TLS certificate is not trusted (${code}); add its CA bundle` };
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(code)) return { step: 'reachable', message: `the host name does not resolve (${code})` };
  if (/ECONNREFUSED/.test(code)) return { step: 'reachable', message: 'the server refused the connection (nothing listens on that port)' };
  if (/TIMEOUT/i.test(code)) return { step: 'reachable', message: `the server did not answer in time (${code})` };
  return { step: 'reachable', message: `the server cannot be reached (${code || err.kind})` };
}

const STEP_ORDER: CheckStepName[] = ['reachable', 'tls', 'serviceProviderConfig', 'credentials', 'users', 'roles'];

/** Runs every step it can; a failed step marks the ones that depend on it as skipped. */
export async function checkConnection(client: IiqClient, baseUrl: string): Promise<ConnectionCheck> {
  const started = Date.now();
  const https = baseUrl.startsWith('https:');
  const steps = new Map<CheckStepName, CheckStep>();
  const set = (name: CheckStepName, status: CheckStep['status'], message: string, code?: string) =>
    steps.set(name, { name, status, message, ...(code ? { code } : {}) });
  const result: ConnectionCheck = { ok: false, checkedAt: new Date(started).toISOString(), durationMs: 0, steps: [], serviceProvider: null, users: null, roles: null };

  /** Classifies a failure of a call made after the server was reached; true when it was a transport failure. */
  const transportFailed = (err: unknown): boolean => {
    if (!(err instanceof IiqError) || (err.kind !== 'transport' && err.kind !== 'aborted')) return false;
    const { step, message } = transportStep(err, https);
    if (step === 'tls') {
      set('reachable', 'pass', 'the server accepted a TCP connection');
      set('tls', 'fail', message, err.code);
    } else {
      set('reachable', 'fail', message, err.code);
    }
    return true;
  };
  const upstreamCode = (err: unknown) => (err instanceof IiqError && err.status !== undefined ? `HTTP ${err.status}` : undefined);

  try {
    const spc = await client.serviceProviderConfig();
    set('reachable', 'pass', 'the server answered');
    set('tls', https ? 'pass' : 'skip', https ? 'the certificate is trusted' : 'plain HTTP: no TLS to verify');
    set('serviceProviderConfig', 'pass', `maxResults ${spc.maxResults}; authentication schemes: ${spc.authenticationSchemes.join(', ') || 'none listed'}`);
    result.serviceProvider = {
      maxResults: spc.maxResults, authenticationSchemes: spc.authenticationSchemes, filterSupported: spc.filterSupported, sortSupported: spc.sortSupported,
    };
  } catch (err) {
    if (!transportFailed(err)) {
      set('reachable', 'pass', 'the server answered');
      set('tls', https ? 'pass' : 'skip', https ? 'the certificate is trusted' : 'plain HTTP: no TLS to verify');
      if (err instanceof IiqError && err.kind === 'unauthorized') {
        set('serviceProviderConfig', 'fail', 'IdentityIQ requires credentials for ServiceProviderConfig and refused these', upstreamCode(err));
        set('credentials', 'fail', 'IdentityIQ refused the credentials (or the identity lacks SCIM rights)', upstreamCode(err));
      } else if (err instanceof IiqError && err.kind === 'notFound') {
        set('serviceProviderConfig', 'fail', 'no SCIM ServiceProviderConfig at this URL: it should end in /identityiq/scim/v2', upstreamCode(err));
      } else {
        set('serviceProviderConfig', 'fail', err instanceof IiqError ? `IdentityIQ did not return a usable ServiceProviderConfig (${err.kind})` : 'unexpected failure', upstreamCode(err));
      }
    }
  }

  if (steps.get('serviceProviderConfig')?.status === 'pass') {
    try {
      const users = await client.listUsers({ count: 1, fields: ['userName'] });
      set('credentials', 'pass', 'IdentityIQ accepted the credentials');
      set('users', 'pass', `${users.totalResults} users readable`);
      result.users = { total: users.totalResults };
    } catch (err) {
      if (!transportFailed(err)) {
        if (err instanceof IiqError && err.kind === 'unauthorized') {
          set('credentials', 'fail', 'IdentityIQ refused the credentials (or the identity lacks SCIM rights)', upstreamCode(err));
        } else {
          set('credentials', 'pass', 'IdentityIQ accepted the credentials');
          set('users', 'fail', `Users cannot be read (${err instanceof IiqError ? err.kind : 'unexpected failure'})`, upstreamCode(err));
        }
      }
    }
  }
  if (steps.get('credentials')?.status === 'pass') {
    try {
      const roles = await client.listRoles({ count: 1 });
      set('roles', 'pass', `${roles.totalResults} roles readable`);
      result.roles = { total: roles.totalResults };
    } catch (err) {
      if (!transportFailed(err)) set('roles', 'fail', `Roles cannot be read (${err instanceof IiqError ? err.kind : 'unexpected failure'})`, upstreamCode(err));
    }
  }

  for (const name of STEP_ORDER) if (!steps.has(name)) set(name, 'skip', 'not checked: an earlier step failed');
  result.steps = STEP_ORDER.map((n) => steps.get(n)!);
  result.ok = result.steps.every((s) => s.status !== 'fail');
  result.durationMs = Date.now() - started;
  return result;
}
