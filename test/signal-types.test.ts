import { describe, expect, it } from 'vitest';
import { getSignalType, signalTypes } from '../src/hashing/signal-types.js';

describe('signal types', () => {
  it('registers md5, sha1, sha256 and pdq', () => {
    expect([...signalTypes.keys()].sort()).toEqual(['md5', 'pdq', 'sha1', 'sha256']);
    expect(getSignalType('PDQ').kind).toBe('perceptual');
    expect(() => getSignalType('vpdq')).toThrow(/unknown signal type "vpdq".*pdq/);
  });

  it('validates by length and hex digits', () => {
    const sha256 = getSignalType('sha256');
    expect(sha256.validate('ab'.repeat(32))).toBe(true);
    expect(sha256.validate('ab'.repeat(31))).toBe(false);
    expect(sha256.validate('zz'.repeat(32))).toBe(false);
    expect(getSignalType('md5').validate('0'.repeat(32))).toBe(true);
    expect(getSignalType('sha1').validate('0'.repeat(32))).toBe(false);
    expect(getSignalType('pdq').validate('f'.repeat(64))).toBe(true);
  });

  it('measures distance: equality for exact types, Hamming for PDQ', () => {
    const md5 = getSignalType('md5');
    expect(md5.distance('AB'.repeat(16), 'ab'.repeat(16))).toBe(0);
    expect(md5.distance('ab'.repeat(16), 'ac'.repeat(16))).toBe(Infinity);
    const pdq = getSignalType('pdq');
    const a = '0'.repeat(64);
    const within = 'f'.repeat(7) + 'e' + '0'.repeat(56); // 28 + 3 = 31 bits
    expect(pdq.distance(a, within)).toBe(31);
    expect(pdq.distance(a, within) <= pdq.matchThreshold).toBe(true);
    expect(pdq.distance(a, 'f'.repeat(8) + '0'.repeat(56)) <= pdq.matchThreshold).toBe(false);
  });
});
