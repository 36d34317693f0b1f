/**
 * Finds OpenAI `stop` strings in streamed text. Text that might be the start of a stop string is held back
 * until the next chunk decides it, so a client never sees part of a stop sequence.
 */
export class StopMatcher {
  private held = '';
  private readonly longest: number;

  constructor(private readonly stops: readonly string[]) {
    this.longest = stops.reduce((n, s) => Math.max(n, s.length), 0);
  }

  get active(): boolean { return this.stops.length > 0; }

  /** Text safe to emit now, and whether a stop string was reached (emit nothing after it). */
  push(chunk: string): { text: string; stopped: boolean } {
    if (!this.active) return { text: chunk, stopped: false };
    const buf = this.held + chunk;
    // The stop string that completes first wins (as when tokens arrive one by one), the longer one on a tie:
    // with stops ["bab", "a"], "bab" stops after "b" whether it arrives whole or as "ba" + "b".
    let cut = -1;
    let end = Infinity;
    for (const s of this.stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (i + s.length < end || (i + s.length === end && i < cut))) { cut = i; end = i + s.length; }
    }
    if (cut >= 0) { this.held = ''; return { text: buf.slice(0, cut), stopped: true }; }
    // keep the longest suffix that is a prefix of some stop string
    let keep = 0;
    for (let k = Math.min(this.longest - 1, buf.length); k > 0; k--) {
      const tail = buf.slice(buf.length - k);
      if (this.stops.some((s) => s.startsWith(tail))) { keep = k; break; }
    }
    this.held = buf.slice(buf.length - keep);
    return { text: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** What was held back when generation ends for another reason. */
  flush(): string { const t = this.held; this.held = ''; return t; }
}

/** OpenAI's `stop`: a string or up to four strings; empty strings are ignored. */
export function stopStrings(value: unknown): string[] {
  if (typeof value === 'string') return value ? [value] : [];
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  return [];
}
