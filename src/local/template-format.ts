/**
 * Non-harmony models: the chat template that ships in the GGUF, applied by node-llama-cpp's chat wrappers.
 * They render into LlamaText, which keeps message text apart from template tokens: message text is
 * tokenized without special-token parsing, so a user writing `<|im_end|>` cannot close their own turn.
 */
import { resolveChatWrapper, type ChatHistoryItem, type ChatWrapper, type LlamaModel, type Token } from 'node-llama-cpp';
import type { ChatRequest, StreamPart } from '../core/types.js';
import { contentText, type OutputDecoder, type PromptFormat } from './prompt-format.js';
import { TokenText } from './token-text.js';

export class TemplateFormat implements PromptFormat {
  readonly kind = 'template';
  readonly feedsStopToken = false;
  private readonly wrapper: ChatWrapper;
  private readonly stopTokens = new Set<Token>();
  readonly stopTexts: string[] = [];
  private readonly eogCache = new Map<Token, boolean>();

  constructor(private readonly model: LlamaModel) {
    this.wrapper = resolveChatWrapper(model);
    // The wrapper's stop triggers that are single tokens (e.g. `<|im_end|>`) end generation like EOS does.
    const state = this.wrapper.generateContextState({ chatHistory: [{ type: 'user', text: '' }, { type: 'model', response: [] }] });
    for (const trigger of state.stopGenerationTriggers) {
      const tokens = trigger.tokenize(model.tokenizer);
      if (tokens.length === 1) this.stopTokens.add(tokens[0]);
      else if (trigger.values.every((v) => typeof v === 'string')) this.stopTexts.push(trigger.toString());
    }
  }

  render(request: ChatRequest): Token[] {
    const history: ChatHistoryItem[] = [];
    for (const m of request.messages) {
      const text = contentText(m.content);
      if (m.role === 'system' || m.role === 'developer') history.push({ type: 'system', text });
      else if (m.role === 'assistant') history.push({ type: 'model', response: [text] });
      // Templates without a tool role get tool results as user text, labelled so the model can tell.
      else if (m.role === 'tool' || m.role === 'function') history.push({ type: 'user', text: `Tool result${m.name ? ` (${m.name})` : ''}: ${text}` });
      else history.push({ type: 'user', text });
    }
    history.push({ type: 'model', response: [] });
    const { contextText } = this.wrapper.generateContextState({ chatHistory: history });
    return contextText.tokenize(this.model.tokenizer);
  }

  stopReason(token: Token): 'eos' | null {
    // cached: asking the native side once per generated token shows up in tokens/s on small models
    let eog = this.eogCache.get(token);
    if (eog === undefined) {
      eog = this.model.isEogToken(token) || this.stopTokens.has(token);
      this.eogCache.set(token, eog);
    }
    return eog ? 'eos' : null;
  }

  decoder(): OutputDecoder {
    // Control tokens are not rendered: a template model's special tokens are never answer text.
    const text = new TokenText(this.model, false);
    const part = (t: string): StreamPart[] => (t ? [{ type: 'text', text: t }] : []);
    return {
      push: (token: Token): StreamPart[] => part(text.push(token)),
      end: (): StreamPart[] => part(text.flush()),
    };
  }
}
