/**
 * A JSON text that an upstream sends again and again with other values: the same text but for
 * the values of some members, strings or integers (its holes). A stream's head is one
 * (`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1796693048,"model":"m",`), its
 * usage chunk another (`"choices":[],"usage":{"prompt_tokens":8,"completion_tokens":20,…}}`).
 *
 * What such a text is read as (`reader`: JSON.parse and the wire mapping) is learned by reading
 * it once with a different value in every hole (the probe): each field of the result then either
 * is what one hole holds, as it is, or is the same whatever the holes hold. A later text is
 * matched with one regular expression and its fields are taken from what its holes hold, without
 * a parse: on the gateway's core a parse of a head or usage chunk cost 1.5-3 us, the match a
 * fraction of that.
 *
 * Sound because the learned text holds no backslash, so its strings are delimited by quotes
 * alone, and a hole can hold no quote, backslash or control character: every text the expression
 * matches has its quotes where the learned text has them, so it is the same JSON structure (the
 * same keys, objects and arrays, each hole a string or an integer where the learned text has
 * one), valid JSON when the learned text is, and a reader that looks at values only by their
 * type reads it field for field as the shape does. A reader that looks at a value's content
 * beyond passing it on is caught by the probe (its field is then neither a hole nor fixed, and
 * the shape is not learned) or by reading the learned text both ways.
 */

/** One hole: where its value starts and ends in the text (a string's without its quotes), and whether it is a string. */
type Hole = readonly [from: number, to: number, str: boolean];

/** What a shape puts in a field: the hole it comes from (its index, and whether it is a string), or a fixed value. */
type Field = readonly [key: string, hole: number, str: boolean, fixed: unknown];

export class ValueShape<T extends object> {
  private constructor(
    /** The learned text with a capture for each hole, anchored at both ends. */
    private readonly re: RegExp,
    private readonly fields: readonly Field[],
  ) {}

  /**
   * The shape of `text`, which `reader` reads as `value` (a flat object of primitives), or null
   * when it has none (a backslash or control character, no hole, too long) or the probe does not
   * show where each field comes from.
   */
  static learn<T extends object>(text: string, value: T, reader: (text: string) => T | null): ValueShape<T> | null {
    if (text.length > SHAPE_TEXT_MAX || text.indexOf('\\') >= 0 || CONTROL.test(text)) return null;
    const holes = holesOf(text);
    if (holes === null || holes.length === 0 || holes.length > HOLES_MAX) return null;
    let pattern = '^';
    let probe = '';
    let last = 0;
    for (let i = 0; i < holes.length; i++) {
      const [from, to, str] = holes[i];
      const seg = text.slice(last, from);
      // A text that could hold a probe's value where there is no hole.
      if (seg.includes(PROBE_DIGITS) || seg.includes(PROBE_MARK)) return null;
      pattern += escapeRegExp(seg) + (str ? STRING_HOLE : NUMBER_HOLE);
      probe += seg + (str ? probeString(i) : String(PROBE + i));
      last = to;
    }
    const tail = text.slice(last);
    if (tail.includes(PROBE_DIGITS) || tail.includes(PROBE_MARK)) return null;
    pattern += `${escapeRegExp(tail)}$`;
    probe += tail;
    const probed = reader(probe);
    if (probed === null) return null;
    const fields: Field[] = [];
    for (const key of Object.keys(probed)) {
      const v = (probed as Record<string, unknown>)[key];
      const hole = typeof v === 'number' ? v - PROBE : typeof v === 'string' ? probeIndex(v) : -1;
      if (Number.isInteger(hole) && hole >= 0 && hole < holes.length && holes[hole][2] === (typeof v === 'string')) {
        fields.push([key, hole, holes[hole][2], undefined]);
      } else if (v === undefined || v === null || typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && !v.includes(PROBE_MARK))) {
        fields.push([key, -1, false, v]);
      } else {
        return null;
      }
    }
    const shape = new ValueShape<T>(new RegExp(pattern), fields);
    // The learned text read by the shape must be what the reader read it as.
    const again = shape.read(text);
    return again !== undefined && sameFields(again, value) ? shape : null;
  }

  /** What `text` is read as, when it has this shape; else undefined. */
  read(text: string): T | undefined {
    const m = this.re.exec(text);
    if (m === null) return undefined;
    const out: Record<string, unknown> = {};
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const [key, hole, str, fixed] = fields[i];
      out[key] = hole < 0 ? fixed : str ? m[hole + 1] : Number(m[hole + 1]);
    }
    return out as T;
  }
}

const SHAPE_TEXT_MAX = 1024;
const HOLES_MAX = 32;
const CONTROL = /[\x00-\x1f]/;
/** A hole's string: no quote, backslash or control character (so a valid JSON string's content as it is). */
const STRING_HOLE = '([^"\\\\\\x00-\\x1f]*)';
/** A hole's integer: as JSON writes one (no sign, no leading zero), at most 15 digits (exact as a double). */
const NUMBER_HOLE = '(0|[1-9]\\d{0,14})';
/** The numbers a probe puts in the holes: PROBE + the hole's index, each unlike any count in a chunk. */
const PROBE = 987_654_000;
const PROBE_DIGITS = '98765';
/** A probe's strings: `§Aa<index>§` (both cases, so a reader that changes a string's case shows it). */
const PROBE_MARK = '\u00a7';
const probeString = (i: number): string => `${PROBE_MARK}Aa${i}${PROBE_MARK}`;

function probeIndex(s: string): number {
  const m = /^\u00a7Aa(\d+)\u00a7$/.exec(s);
  return m === null ? -1 : Number(m[1]);
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The values in `text` that are a member's whole value, written without space: a string or an
 * integer right after a colon and right before a comma or closing brace. Null when a string is
 * not closed. Only called on text without backslashes, so a string ends at the next quote.
 */
function holesOf(t: string): Hole[] | null {
  const holes: Hole[] = [];
  const n = t.length;
  const member = (from: number, to: number): boolean => {
    const after = t.charCodeAt(to);
    return t.charCodeAt(from - 1) === 0x3a /* : */ && (after === 0x2c /* , */ || after === 0x7d /* } */);
  };
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const close = t.indexOf('"', i + 1);
      if (close < 0) return null;
      if (member(i, close + 1)) holes.push([i + 1, close, true]);
      i = close;
    } else if (c >= 0x30 && c <= 0x39) {
      let j = i + 1;
      while (j < n && t.charCodeAt(j) >= 0x30 && t.charCodeAt(j) <= 0x39) j++;
      if (member(i, j) && j - i <= 15 && (c !== 0x30 || j - i === 1)) holes.push([i, j, false]);
      i = j - 1;
    }
  }
  return holes;
}

function sameFields(a: object, b: object): boolean {
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length
    && ka.every((k, i) => kb[i] === k && Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
