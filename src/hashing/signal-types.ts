/**
 * Signal types, one plug-in per kind of hash, in the spirit of python-threatexchange's `SignalType`:
 * what a valid value looks like, how two values compare, and the distance at which they match.
 * A new type (e.g. vPDQ) is added by writing one object and listing it in `signalTypes`.
 */
import { hammingHex, isPdqHex } from './pdq.js';

export interface SignalType {
  name: string;
  /** `exact` types match on equality (distance 0 or Infinity); `perceptual` on a distance threshold. */
  kind: 'exact' | 'perceptual';
  /** Length of the value in bits, where fixed. */
  bits?: number;
  /** Match iff distance(a, b) ≤ matchThreshold. */
  matchThreshold: number;
  /** Lower-case hex of a valid value is compared; callers normalise with `normalize`. */
  distance(a: string, b: string): number;
  validate(hex: string): boolean;
}

/** Hex lists come in either case; the case keeps lower-case. */
export function normalize(hex: string): string {
  return hex.trim().toLowerCase();
}

function cryptographic(name: string, bits: number): SignalType {
  const re = new RegExp(`^[0-9a-fA-F]{${bits / 4}}$`);
  return {
    name,
    kind: 'exact',
    bits,
    matchThreshold: 0,
    distance: (a, b) => (normalize(a) === normalize(b) ? 0 : Infinity),
    validate: (hex) => re.test(hex),
  };
}

export const md5Signal = cryptographic('md5', 128);
export const sha1Signal = cryptographic('sha1', 160);
export const sha256Signal = cryptographic('sha256', 256);

/** PDQ: Hamming distance over 256 bits, match at ≤ 31 (Meta's recommended threshold). */
export const pdqSignal: SignalType & { minQuality: number } = {
  name: 'pdq',
  kind: 'perceptual',
  bits: 256,
  matchThreshold: 31,
  // Hashes of lower quality are kept but not matched on by default: flat images collide easily.
  minQuality: 50,
  distance: hammingHex,
  validate: isPdqHex,
};

export const signalTypes: ReadonlyMap<string, SignalType> = new Map(
  [md5Signal, sha1Signal, sha256Signal, pdqSignal].map((t) => [t.name, t]),
);

/** The signal type of that name, or an Error naming the known ones. */
export function getSignalType(name: string): SignalType {
  const t = signalTypes.get(name.toLowerCase());
  if (!t) throw new Error(`unknown signal type "${name}" (known: ${[...signalTypes.keys()].join(', ')})`);
  return t;
}
