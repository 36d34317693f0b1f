/**
 * 32-bit FNV-1a steps and a finalizer, so features can be hashed while scanning text, one character
 * at a time, without building substrings.
 */

export const FNV_OFFSET = 0x811c9dc5;

export function fnvStep(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193);
}

/** murmur3's fmix32: spreads FNV's weak low bits before masking to the table size. */
export function finalize(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines two hashes (e.g. a word bigram from its two words). */
export function combine(a: number, b: number): number {
  return finalize(Math.imul(a, 31) ^ b);
}

export function hashString(s: string, seed: number = FNV_OFFSET): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = fnvStep(h, s.charCodeAt(i));
  return h;
}
