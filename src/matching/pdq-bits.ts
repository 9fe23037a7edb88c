/** Kept so matching's imports read naturally; the helpers live in src/hashing/pdq-bits.ts. */
export * from '../hashing/pdq-bits.js';
