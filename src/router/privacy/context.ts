/**
 * Context cues: many identifiers (a bare 7-digit phone number, a 9-digit SSN) are only personal
 * data when the words around them say so. These helpers look at a short window around a match.
 */

/** True when `cue` matches within `window` code units before `index`. `cue` must not be global. */
export function cueBefore(text: string, index: number, cue: RegExp, window: number): boolean {
  return cue.test(text.slice(Math.max(0, index - window), index));
}

/** True when `cue` matches within `window` code units after `index`. `cue` must not be global. */
export function cueAfter(text: string, index: number, cue: RegExp, window: number): boolean {
  return cue.test(text.slice(index, index + window));
}

/** The last non-space character before `index`, or '' at the start of the text. */
export function prevNonSpace(text: string, index: number): string {
  for (let i = index - 1; i >= 0; i--) {
    const c = text[i];
    if (c !== ' ' && c !== '\t') return c;
  }
  return '';
}
