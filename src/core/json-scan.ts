/** Scanning JSON text without parsing it. */

/** The index of the quote closing the string that opens at `open` (one not escaped by an odd run of backslashes), or -1. */
export function stringEnd(s: string, open: number): number {
  let q = open;
  for (;;) {
    q = s.indexOf('"', q + 1);
    if (q < 0) return -1;
    let b = q - 1;
    while (s.charCodeAt(b) === 0x5c /* \ */) b--;
    if ((q - 1 - b) % 2 === 0) return q;
  }
}
