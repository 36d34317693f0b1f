/**
 * Token streams cut multi-byte characters: o200k has tokens holding half an emoji. These helpers
 * let the parser hold back only the bytes of an unfinished character and decode the rest at once.
 */

/** How many trailing bytes form the start of a character whose remaining bytes have not arrived. */
export function incompleteTailLength(bytes: ArrayLike<number>): number {
  const n = bytes.length;
  for (let k = 1; k <= 3 && k <= n; k++) {
    const b = bytes[n - k];
    if ((b & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? k : 0;
  }
  return 0;
}
