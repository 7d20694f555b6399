// Seeded pseudo-random numbers (sfc32 seeded through splitmix32): same seed, same data, same ids.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** uniform in [0, 1) */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** integer in [min, max] */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** k distinct items (fewer if the list is shorter) */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const out: T[] = [];
    for (let i = 0; i < k && copy.length > 0; i++) {
      const j = Math.floor(this.next() * copy.length);
      out.push(copy[j] as T);
      copy[j] = copy[copy.length - 1] as T;
      copy.pop();
    }
    return out;
  }

  /** 32 lowercase hex characters, like an IIQ object id */
  hexId(): string {
    return (
      hex8(this.u32()) + hex8(this.u32()) + hex8(this.u32()) + hex8(this.u32())
    );
  }
}

const BYTE_HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function hex8(n: number): string {
  return (
    (BYTE_HEX[n >>> 24] as string) + (BYTE_HEX[(n >>> 16) & 255] as string) + (BYTE_HEX[(n >>> 8) & 255] as string) +
    (BYTE_HEX[n & 255] as string)
  );
}

/**
 * Id source: IIQ ids are 32-char lowercase hex GUIDs. 128 random bits make a collision practically impossible
 * (~1e-28 for a million ids), so no uniqueness set is kept: it cost more than the rest of the generation.
 */
export class IdSource {
  constructor(private readonly rng: Rng) {}

  next(): string {
    return this.rng.hexId();
  }
}
