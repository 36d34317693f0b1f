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

  constructor(private readonly model: LlamaModel, private readonly special: boolean) {}

  push(token: Token): string {
    this.held.push(token);
    const text = this.model.detokenize(this.held, this.special, this.recent);
    if (text.endsWith('\uFFFD') && this.held.length < MAX_HELD) return '';
    this.recent = this.recent.concat(this.held).slice(-MAX_HELD);
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
