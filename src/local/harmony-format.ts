/**
 * gpt-oss on llama.cpp, through Switchyard's own harmony renderer and parser rather than the chat template
 * in the GGUF: one implementation of the format for every engine, with the gateway's reasoning policy.
 *
 * Prompt: the renderer emits text pieces and control tokens separately; text is tokenized without
 * special-token parsing (and is neutralised by the renderer first), control tokens are placed by id, so
 * message content can never forge `<|start|>assistant<|channel|>final`.
 *
 * Output: when the model's vocabulary is o200k_harmony (every real gpt-oss GGUF), generated ids go straight
 * to the parser's token mode, where only the seven control ids are structure. Other vocabularies (converted
 * or test models) go through text: control tokens by their spelling, ordinary text with any `<|` neutralised
 * so that only real control tokens can open a channel.
 */
import type { LlamaModel, Token } from 'node-llama-cpp';
import type { ChatRequest, FinishReason, StreamPart } from '../core/types.js';
import { harmonyFromOpenAI } from '../harmony/from-openai.js';
import { FULLWIDTH_BAR, hasControlSequence, neutralize } from '../harmony/neutralize.js';
import { HarmonyPartMapper } from '../harmony/reasoning-policy.js';
import { renderConversationInto } from '../harmony/render.js';
import { HarmonyStreamParser, type HarmonyEvent } from '../harmony/stream-parser.js';
import { CONTROL, CONTROL_IDS, type ControlName, type SystemContent } from '../harmony/types.js';
import { GatewayError } from '../core/errors.js';
import type { OutputDecoder, PromptFormat } from './prompt-format.js';
import { TokenText } from './token-text.js';

export interface HarmonyFormatOptions {
  /** Extra system-message fields (current date, identity, built-in tools). */
  system?: SystemContent;
  /** Tool-call ids, injectable for tests. */
  newId?: () => string;
}

export class HarmonyFormat implements PromptFormat {
  readonly kind = 'harmony';
  readonly feedsStopToken = true;
  readonly stopTexts: readonly string[] = [];
  private readonly ids: Record<ControlName, Token>;
  private readonly controlById = new Map<Token, ControlName>();
  /** True when ids are o200k_harmony's, so the parser can read tokens directly. */
  readonly o200k: boolean;

  constructor(private readonly model: LlamaModel, private readonly opts: HarmonyFormatOptions = {}) {
    const ids = {} as Record<ControlName, Token>;
    for (const [name, text] of Object.entries(CONTROL) as [ControlName, string][]) {
      const t = model.tokenize(text, true);
      if (t.length !== 1) {
        throw new GatewayError('internal_error', `this model's vocabulary has no ${text} token: it cannot use the harmony format (set chatFormat: template)`);
      }
      ids[name] = t[0];
      this.controlById.set(t[0], name);
    }
    this.ids = ids;
    this.o200k = (Object.keys(CONTROL_IDS) as ControlName[]).every((n) => ids[n] === CONTROL_IDS[n]);
  }

  render(request: ChatRequest): Token[] {
    const out: Token[] = [];
    const sink = {
      text: (s: string) => { for (const t of this.model.tokenize(s, false)) out.push(t); },
      control: (name: ControlName) => { out.push(this.ids[name]); },
    };
    renderConversationInto(harmonyFromOpenAI(request.body, { system: this.opts.system }), sink);
    sink.control('start');
    sink.text('assistant');
    return out;
  }

  stopReason(token: Token): 'return' | 'call' | 'eos' | null {
    if (token === this.ids.return) return 'return';
    if (token === this.ids.call) return 'call';
    // Not isEogToken: llama.cpp counts `<|end|>` as end-of-turn, but in harmony it only ends one message.
    return token === this.model.tokens.eos ? 'eos' : null;
  }

  decoder(): OutputDecoder {
    return new HarmonyDecoder(this.model, this.controlById, this.o200k, this.opts.newId);
  }
}

class HarmonyDecoder implements OutputDecoder {
  private readonly parser = new HarmonyStreamParser({ role: 'assistant' });
  private readonly mapper: HarmonyPartMapper;
  private readonly text: TokenText;
  /** The last ordinary text ended in `<`: a `|` starting the next one must not complete a `<|`. */
  private endsWithLt = false;
  reasoningTokens = 0;

  constructor(
    model: LlamaModel,
    private readonly controlById: Map<Token, ControlName>,
    private readonly o200k: boolean,
    newId?: () => string,
  ) {
    this.mapper = new HarmonyPartMapper(newId ? { newId } : {});
    this.text = new TokenText(model, false);
  }

  push(token: Token): StreamPart[] {
    let events: readonly HarmonyEvent[];
    if (this.o200k) {
      events = this.parser.pushTokens([token]);
    } else {
      const control = this.controlById.get(token);
      if (control) {
        const held = this.text.flush();
        events = [...(held ? this.parser.push(this.ordinary(held)) : []), ...this.parser.push(CONTROL[control])];
        this.endsWithLt = false;
      } else {
        events = this.parser.push(this.ordinary(this.text.push(token)));
      }
    }
    const parts = this.mapper.mapAll(events);
    if (parts.some((p) => p.type === 'reasoning')) this.reasoningTokens++;
    return parts;
  }

  end(): StreamPart[] {
    const held = this.o200k ? '' : this.text.flush();
    return this.mapper.mapAll([...(held ? this.parser.push(this.ordinary(held)) : []), ...this.parser.end()]);
  }

  /** Ordinary tokens that spell `<|…`, even across two tokens, are content, never structure. */
  private ordinary(text: string): string {
    if (!text) return text;
    let t = this.endsWithLt && text.startsWith('|') ? FULLWIDTH_BAR + text.slice(1) : text;
    if (hasControlSequence(t)) t = neutralize(t);
    this.endsWithLt = t.endsWith('<');
    return t;
  }

  finish(reason: FinishReason): FinishReason {
    const part = this.mapper.finish(reason.unified === 'length' ? 'length' : reason.raw);
    return part.type === 'finish' ? part.reason : reason;
  }
}
