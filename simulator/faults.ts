// Fault injection: the next N matching requests (or a rate of them) fail in a chosen way.
import type { FaultSpec, FaultType } from './types.ts';

const TYPES: FaultType[] = ['status', 'rateLimit', 'delay', 'reset', 'truncate', 'invalidJson', 'badSchema'];

interface ActiveFault {
  spec: FaultSpec;
  remaining: number | null;
}

export class FaultInjector {
  private faults: ActiveFault[] = [];

  /** throws a TypeError on a malformed spec (the admin endpoint answers 400) */
  inject(spec: FaultSpec): void {
    if (!spec || !TYPES.includes(spec.type)) throw new TypeError(`fault type must be one of ${TYPES.join(', ')}`);
    if (spec.type === 'status' && (typeof spec.status !== 'number' || spec.status < 400 || spec.status > 599)) {
      throw new TypeError("fault 'status' needs a status between 400 and 599");
    }
    if (spec.type === 'delay' && (typeof spec.delayMs !== 'number' || spec.delayMs < 0)) {
      throw new TypeError("fault 'delay' needs delayMs >= 0");
    }
    if (spec.rate !== undefined && (typeof spec.rate !== 'number' || spec.rate < 0 || spec.rate > 1)) {
      throw new TypeError('fault rate must be between 0 and 1');
    }
    if (spec.times !== undefined && (!Number.isInteger(spec.times) || spec.times < 1)) {
      throw new TypeError('fault times must be a positive integer');
    }
    const remaining = spec.rate !== undefined ? null : (spec.times ?? 1);
    this.faults.push({ spec: { ...spec }, remaining });
  }

  clear(): void {
    this.faults = [];
  }

  active(): FaultSpec[] {
    return this.faults.map((f) => ({ ...f.spec }));
  }

  /** the fault to apply to this request, if any (consumes one of its `times`) */
  take(method: string, path: string): FaultSpec | null {
    for (const f of this.faults) {
      if (f.spec.method && f.spec.method.toUpperCase() !== method.toUpperCase()) continue;
      if (f.spec.pathPrefix && !path.startsWith(f.spec.pathPrefix)) continue;
      if (f.remaining === null) {
        if (Math.random() < (f.spec.rate ?? 0)) return f.spec;
        continue;
      }
      f.remaining--;
      if (f.remaining <= 0) this.faults = this.faults.filter((x) => x !== f);
      return f.spec;
    }
    return null;
  }
}
