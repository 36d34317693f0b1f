/**
 * Turns generated tokens into text one token at a time. Byte-level vocabularies split a multi-byte
 * character over several tokens; detokenizing one alone yields U+FFFD, so such tokens are held until the
 * character is complete (at most four bytes).
 */
import type { LlamaModel, Token } from 'node-llama-cpp';

const MAX_HELD = 4;

export class TokenText {
  private held: Token[] = [];
  private recent: Token[] = [];
  /**
   * SentencePiece vocabularies need the preceding tokens to know whether a piece's leading space is real;
   * byte-level BPE pieces are self-contained, and skipping the context saves work on every token.
   */
  private readonly needsContext: boolean;

  constructor(private readonly model: LlamaModel, private readonly special: boolean) {
    this.needsContext = model.vocabularyType !== 'bpe';
  }

  push(token: Token): string {
    this.held.push(token);
    const text = this.needsContext
      ? this.model.detokenize(this.held, this.special, this.recent)
      : this.model.detokenize(this.held, this.special);
    if (text.endsWith('\uFFFD') && this.held.length < MAX_HELD) return '';
    if (this.needsContext) this.recent = this.recent.concat(this.held).slice(-MAX_HELD);
    this.held = [];
    return text;
  }

  flush(): string {
    if (this.held.length === 0) return '';
    const text = this.model.detokenize(this.held, this.special, this.recent);
    this.held = [];
    return text;
  }
}
