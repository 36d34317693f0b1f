/**
 * Incremental harmony parser. Feed it text chunks (`push`), raw bytes (`pushBytes`) or token ids
 * (`pushTokens`); it returns events as soon as they are certain: a message's header when
 * `<|message|>` arrives, content deltas immediately (holding back only a possible partial control
 * token such as a trailing `<|ch`, or an unfinished UTF-8 character), and the message's end.
 *
 * Two modes. `strict` follows the harmony reference and throws HarmonyParseError where it would.
 * The default (lenient) never throws and repairs what engines emit in practice: a header with no
 * `<|message|>` (README case 4), text with no header at all (a bare refusal, case 5), a stray
 * `<|return|>` after `<|end|>`, a missing `<|end|>` before the next `<|start|>`/`<|channel|>`, and
 * control tokens glued to a recipient. In lenient mode no control token ever reaches content.
 *
 * In text mode, control tokens are recognised by their spelling. In token mode only the seven
 * special ids are control tokens: ordinary tokens that happen to spell `<|start|>` are content.
 */
import { HarmonyParseError, parseHeader, type ParsedHeader } from './header.js';
import { controlForId, ordinaryTokenPiece, specialTokenText } from './tokens.js';
import { CONTROL, type ControlName, type HarmonyRole, type MessageEnd, type ParsedMessage } from './types.js';
import { incompleteTailLength } from './utf8-tail.js';

export type HarmonyEvent =
  | ({ type: 'message-start'; index: number } & ParsedHeader)
  | { type: 'content'; index: number; text: string }
  | { type: 'message-end'; index: number; message: ParsedMessage };

export interface StreamParserOptions {
  /** Role of a message that starts without `<|start|>` (a completion after `<|start|>assistant`). Default 'assistant'; null expects `<|start|>`. */
  role?: HarmonyRole | null;
  strict?: boolean;
}

const CONTROL_ENTRIES = Object.entries(CONTROL) as [ControlName, string][];
const STOPS: Record<string, MessageEnd> = { end: 'end', call: 'call', return: 'return' };
const REPLACEMENT = '\uFFFD';
/** Returned for the many pushes that produce nothing (a held-back `<`, half a character). */
const NO_EVENTS: readonly HarmonyEvent[] = Object.freeze([]);
/** Longest header we wait for (role, `to=functions.<64-char name>`, channel, content type fit easily). */
const HEADER_LIMIT = 512;
/** Non-streaming decodes are stateless, so one decoder serves every parser. */
const UTF8 = new TextDecoder('utf-8');

export class HarmonyStreamParser {
  /** Every message completed so far. */
  readonly messages: ParsedMessage[] = [];
  private readonly strict: boolean;
  private state: 'start' | 'header' | 'content';
  private roleHint: HarmonyRole | null;
  private headerBuf = '';
  private current: ParsedHeader | null = null;
  private content = '';
  private out: HarmonyEvent[] = [];
  /** Text held back by the lexer: a possible partial control token or half a surrogate pair. */
  private held = '';
  private byteDecoder: TextDecoder | null = null;
  /** Set when a headerless message was opened with no text yet: its leading whitespace is dropped. */
  private trimLeading = false;
  /** Whether the open message's message-start event has gone out. */
  private announced = false;
  private tokenBytes: number[] = [];

  constructor(opts: StreamParserOptions = {}) {
    this.strict = opts.strict ?? false;
    this.roleHint = opts.role === undefined ? 'assistant' : opts.role;
    this.state = this.roleHint ? 'header' : 'start';
  }

  /** Feed a chunk of completion text. */
  push(chunk: string): readonly HarmonyEvent[] {
    this.lex(this.held + chunk);
    return this.drain();
  }

  /** Feed raw UTF-8 bytes (e.g. an HTTP body); characters split across chunks are reassembled. */
  pushBytes(chunk: Uint8Array): readonly HarmonyEvent[] {
    this.byteDecoder ??= new TextDecoder('utf-8');
    return this.push(this.byteDecoder.decode(chunk, { stream: true }));
  }

  /** Feed o200k_harmony token ids. */
  pushTokens(ids: Iterable<number>): readonly HarmonyEvent[] {
    for (const id of ids) {
      const control = controlForId(id);
      if (control !== undefined) {
        this.flushTokenBytes();
        this.onControl(control);
        continue;
      }
      const piece = ordinaryTokenPiece(id);
      if (typeof piece === 'string') {
        this.flushTokenBytes();
        this.onText(piece);
      } else if (piece !== undefined) {
        for (const b of piece) this.tokenBytes.push(b);
        const tail = incompleteTailLength(this.tokenBytes);
        if (tail < this.tokenBytes.length) {
          const ready = this.tokenBytes.splice(0, this.tokenBytes.length - tail);
          this.onText(UTF8.decode(Uint8Array.from(ready)));
        }
      } else {
        this.flushTokenBytes();
        const special = specialTokenText(id);
        // Reserved/other specials are not harmony syntax; the reference keeps their text, we drop it unless strict.
        if (special === undefined) this.onText(REPLACEMENT);
        else if (this.strict) this.onText(special);
      }
    }
    return this.drain();
  }

  /** End of input: flush held text, close the open message. */
  end(): readonly HarmonyEvent[] {
    if (this.byteDecoder) {
      const rest = this.byteDecoder.decode();
      if (rest) this.lex(this.held + rest);
    }
    this.flushTokenBytes();
    if (this.held) {
      const h = this.held;
      this.held = '';
      this.onText(h); // a partial control token at EOS is just text
    }
    if (this.state === 'content') this.finishMessage('eos');
    else if (this.state === 'header') {
      if (this.strict && this.headerBuf) throw new HarmonyParseError('Unexpected EOS while waiting for message header to complete');
      this.finishHeaderless('eos');
    }
    return this.drain();
  }

  private drain(): readonly HarmonyEvent[] {
    const out = this.out;
    if (out.length === 0) return NO_EVENTS;
    this.out = [];
    return out;
  }

  // ---- lexer (text mode) ----

  private lex(s: string): void {
    this.held = '';
    let i = 0;
    const n = s.length;
    while (i < n) {
      const lt = s.indexOf('<', i);
      if (lt < 0) break;
      if (lt + 1 >= n) { // a lone '<' at the end may start a control token
        if (lt > i) this.onText(s.slice(i, lt));
        this.held = '<';
        return;
      }
      if (s.charCodeAt(lt + 1) !== 124 /* | */) {
        this.onText(s.slice(i, lt + 1));
        i = lt + 1;
        continue;
      }
      let matched: [ControlName, string] | undefined;
      let partial = false;
      for (const entry of CONTROL_ENTRIES) {
        const tok = entry[1];
        if (s.startsWith(tok, lt)) { matched = entry; break; }
        if (n - lt < tok.length && tok.startsWith(s.slice(lt))) partial = true;
      }
      if (matched) {
        if (lt > i) this.onText(s.slice(i, lt));
        this.onControl(matched[0]);
        i = lt + matched[1].length;
      } else if (partial) {
        if (lt > i) this.onText(s.slice(i, lt));
        this.held = s.slice(lt);
        return;
      } else {
        this.onText(s.slice(i, lt + 2));
        i = lt + 2;
      }
    }
    if (i >= n) return;
    // Keep a trailing high surrogate until its pair arrives, so no delta holds half a character.
    const last = s.charCodeAt(n - 1);
    if (last >= 0xd800 && last <= 0xdbff) {
      if (n - 1 > i) this.onText(s.slice(i, n - 1));
      this.held = s.slice(n - 1);
    } else {
      this.onText(s.slice(i));
    }
  }

  private flushTokenBytes(): void {
    if (!this.tokenBytes.length) return;
    // Bytes of a character that never completed: one U+FFFD, in the message they belong to (README case 6).
    const text = UTF8.decode(Uint8Array.from(this.tokenBytes));
    this.tokenBytes = [];
    this.onText(text);
  }

  // ---- state machine ----

  private onText(text: string): void {
    if (!text) return;
    switch (this.state) {
      case 'content':
        this.emitContent(text);
        return;
      case 'header':
        if (this.strict) this.headerBuf += text;
        else this.appendHeaderLenient(text);
        return;
      case 'start':
        if (this.strict) throw new HarmonyParseError(`unexpected text while expecting ${CONTROL.start}: ${JSON.stringify(text.slice(0, 40))}`);
        if (!text.trim()) return; // whitespace between messages
        // Text after a finished message with no `<|start|>`: a headerless assistant message.
        this.beginHeader('assistant', text);
    }
  }

  /**
   * A real header is one short line. Once the buffered "header" holds a newline or passes
   * HEADER_LIMIT characters it is text with no header (a bare refusal, a lost `<|message|>`): it is
   * opened as a message there and streamed from then on instead of arriving only at its end. The
   * cut is made at that exact character, so the outcome does not depend on how input is chunked.
   */
  private appendHeaderLenient(text: string): void {
    let t = text;
    while (t && this.state === 'header') {
      const room = Math.max(0, HEADER_LIMIT - this.headerBuf.length);
      const nl = t.indexOf('\n');
      const cut = nl >= 0 && nl <= room ? nl : t.length > room ? room : -1;
      if (cut < 0) { this.headerBuf += t; return; }
      this.headerBuf += t.slice(0, cut);
      t = t.slice(cut);
      if (!this.headerBuf.trim()) {
        // Only whitespace so far: not a message yet. Drop it (headers are trimmed anyway) and go on.
        this.headerBuf = '';
        if (t.startsWith('\n')) t = t.slice(1);
        continue;
      }
      this.promoteHeader();
    }
    if (t) this.onText(t);
  }

  private promoteHeader(): void {
    const { header, rest } = parseHeader(this.headerBuf, this.roleHint, { strict: false, asContent: true });
    this.roleHint = null;
    // Announced with its first text: a bare `assistant` line followed by nothing is no message.
    this.openMessage(header, header.channel !== undefined || header.recipient !== undefined);
    if (rest) this.emitContent(rest);
    else this.trimLeading = true;
  }

  private onControl(name: ControlName): void {
    const literal = CONTROL[name];
    const stop = STOPS[name];
    if (this.state === 'start') {
      if (name === 'start') return this.beginHeader(null, '');
      if (this.strict) throw new HarmonyParseError(`unexpected ${literal} while expecting ${CONTROL.start}`);
      if (stop) return; // stray `<|return|>` after `<|end|>` and the like
      if (name === 'message') { this.beginHeader('assistant', ''); return this.completeHeader(); }
      return this.beginHeader('assistant', literal); // `<|channel|>final<|message|>…` with no start
    }
    if (this.state === 'header') {
      if (name === 'message') return this.completeHeader();
      if (name === 'channel' || name === 'constrain' || this.strict) { this.headerBuf += literal; return; }
      // Lenient: the header never got its `<|message|>`.
      this.finishHeaderless(stop ?? 'end');
      if (name === 'start') this.beginHeader(null, '');
      return;
    }
    // content
    if (stop) return this.finishMessage(stop);
    if (this.strict) return this.emitContent(literal);
    if (name === 'start') { this.finishMessage('end'); return this.beginHeader(null, ''); }
    if (name === 'channel') {
      // `…<|channel|>final<|message|>` with no `<|end|><|start|>assistant` in between.
      const role = this.current?.role ?? 'assistant';
      this.finishMessage('end');
      return this.beginHeader(role, literal);
    }
    // A stray `<|message|>` or `<|constrain|>` inside content is dropped, never shown.
  }

  private beginHeader(roleHint: HarmonyRole | null, initial: string): void {
    this.state = 'header';
    this.roleHint = roleHint;
    this.headerBuf = '';
    // Control literals go straight in; text takes the same path as any later header text.
    if (initial.startsWith('<|')) this.headerBuf = initial;
    else if (initial) this.onText(initial);
  }

  private completeHeader(): void {
    const { header } = parseHeader(this.headerBuf, this.roleHint, { strict: this.strict });
    this.openMessage(header);
  }

  private openMessage(header: ParsedHeader, announce = true): void {
    this.current = header;
    this.content = '';
    this.trimLeading = false;
    this.state = 'content';
    this.headerBuf = '';
    this.announced = false;
    if (announce) this.announce();
  }

  private announce(): void {
    if (this.announced || !this.current) return;
    this.announced = true;
    this.out.push({ type: 'message-start', index: this.messages.length, ...this.current });
  }

  /** Lenient recovery for a header that ended without `<|message|>`: what follows role and channel is content. */
  private finishHeaderless(end: MessageEnd): void {
    const raw = this.headerBuf;
    const hint = this.roleHint;
    this.headerBuf = '';
    this.state = 'start';
    this.roleHint = null;
    if (!raw.trim()) return;
    const { header, rest } = parseHeader(raw, hint, { strict: false, asContent: true });
    // A bare `<|start|>assistant` (the tail of a prompt, or a cut-off completion) carries nothing.
    if (!rest && header.channel === undefined && header.recipient === undefined) return;
    this.openMessage(header);
    if (rest) this.emitContent(rest);
    this.finishMessage(end);
  }

  private emitContent(raw: string): void {
    let text = raw;
    if (this.trimLeading) {
      text = text.trimStart();
      if (!text) return;
      this.trimLeading = false;
    }
    this.announce();
    this.content += text;
    const last = this.out[this.out.length - 1];
    const index = this.messages.length;
    if (last && last.type === 'content' && last.index === index) last.text += text;
    else this.out.push({ type: 'content', index, text });
  }

  private finishMessage(end: MessageEnd): void {
    if (!this.announced) {
      // A promoted headerless message that never got any text: nothing was said.
      this.current = null;
      this.state = 'start';
      this.roleHint = null;
      return;
    }
    const h = this.current ?? { role: 'assistant' as const };
    const message: ParsedMessage = { ...h, content: this.content, end };
    this.out.push({ type: 'message-end', index: this.messages.length, message });
    this.messages.push(message);
    this.current = null;
    this.content = '';
    this.state = 'start';
    this.roleHint = null;
  }
}
