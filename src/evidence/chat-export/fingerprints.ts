import { createHash } from 'node:crypto';

/**
 * A set of 52-bit fingerprints in one Float64Array (open addressing): about 16 bytes per entry, where a
 * Set of key strings costs ~190 bytes. Used to number repeated message keys across a whole export.
 * Two different keys share a fingerprint with probability ~n²/2⁵³ (1e-4 for a million messages); the
 * effect is a `#2` suffix on a message that had no twin, never a lost message.
 */
export class FingerprintSet {
  private table = new Float64Array(1 << 16);
  private count = 0;

  static of(key: string): number {
    // 13 hex digits = 52 bits, exact in a double; +1 keeps 0 free as the empty slot.
    return parseInt(createHash('sha256').update(key).digest('hex').slice(0, 13), 16) + 1;
  }

  /** Adds the fingerprint; false when it was already there. */
  add(fp: number): boolean {
    if ((this.count + 1) * 2 > this.table.length) this.grow();
    const mask = this.table.length - 1;
    for (let i = fp % this.table.length; ; i = (i + 1) & mask) {
      const v = this.table[i]!;
      if (v === 0) {
        this.table[i] = fp;
        this.count++;
        return true;
      }
      if (v === fp) return false;
    }
  }

  private grow(): void {
    const old = this.table;
    this.table = new Float64Array(old.length * 2);
    this.count = 0;
    for (const v of old) if (v !== 0) this.add(v);
  }
}
