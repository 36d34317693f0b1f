/**
 * Conversation → harmony text (or token ids, through a sink). The message layout is the reference
 * renderer's: `<|start|>{role or tool name}[ to={recipient}][<|channel|>{channel}][ {content type}]
 * <|message|>{content}<|end|>`, with `<|call|>` instead of `<|end|>` for an assistant message that
 * has a recipient. Untrusted bodies are neutralised (neutralize.ts) and header fields sanitised.
 */
import { dropEarlierAnalysis } from './drop-analysis.js';
import { neutralize, sanitizeContentType, sanitizeHeaderField } from './neutralize.js';
import { developerNamespaces, renderDeveloperContent, renderSystemContent } from './sections.js';
import { CONTROL, type ControlName, type HarmonyMessage, type HarmonyRole } from './types.js';

/** Where rendered output goes: text pieces and control tokens, kept apart so token ids are exact. */
export interface RenderSink {
  text(s: string): void;
  control(name: ControlName): void;
}

export interface RenderOptions {
  /**
   * Drop chain-of-thought of completed earlier turns (default true). See drop-analysis.ts.
   */
  dropAnalysis?: boolean;
  /** Roles whose content is neutralised (default user, tool, assistant: everything a client supplies as text). */
  untrustedRoles?: readonly HarmonyRole[];
}

const DEFAULT_UNTRUSTED: readonly HarmonyRole[] = ['user', 'tool', 'assistant'];

class StringSink implements RenderSink {
  out = '';
  text(s: string): void { this.out += s; }
  control(name: ControlName): void { this.out += CONTROL[name]; }
}

function hasFunctionTools(messages: readonly HarmonyMessage[]): boolean {
  return messages.some((m) => m.role === 'developer' && m.developer !== undefined
    && developerNamespaces(m.developer).some((ns) => ns.name === 'functions' && ns.tools.length > 0));
}

function renderMessageInto(msg: HarmonyMessage, sink: RenderSink, functionTools: boolean, untrusted: readonly HarmonyRole[]): void {
  sink.control('start');
  if (msg.role === 'tool') {
    // A tool message is authored by the tool itself: its name stands where the role would.
    sink.text(sanitizeHeaderField(msg.name ?? 'tool'));
  } else {
    sink.text(msg.role);
    if (msg.name) sink.text(`:${sanitizeHeaderField(msg.name)}`);
  }
  if (msg.recipient && msg.recipient !== 'all') sink.text(` to=${sanitizeHeaderField(msg.recipient)}`);
  if (msg.channel) {
    sink.control('channel');
    sink.text(sanitizeHeaderField(msg.channel));
  }
  if (msg.contentType) {
    const ct = sanitizeContentType(msg.contentType);
    if (ct.startsWith(CONTROL.constrain)) {
      sink.text(' ');
      sink.control('constrain');
      const rest = ct.slice(CONTROL.constrain.length);
      if (rest) sink.text(rest);
    } else {
      sink.text(` ${ct}`);
    }
  }
  sink.control('message');
  let body: string;
  // Structured bodies are assembled from client data too (instructions, tool descriptions, schema
  // strings), and control strings have no legitimate place in them, so they are always neutralised.
  if (msg.role === 'system' && msg.system) body = neutralize(renderSystemContent(msg.system, functionTools));
  else if (msg.role === 'developer' && msg.developer) body = neutralize(renderDeveloperContent(msg.developer));
  else body = untrusted.includes(msg.role) ? neutralize(msg.content) : msg.content;
  if (body) sink.text(body);
  sink.control(msg.role === 'assistant' && msg.recipient ? 'call' : 'end');
}

/** Render the conversation into a sink (the primitive behind the string and token renderers). */
export function renderConversationInto(messages: readonly HarmonyMessage[], sink: RenderSink, opts: RenderOptions = {}): void {
  const functionTools = hasFunctionTools(messages);
  const untrusted = opts.untrustedRoles ?? DEFAULT_UNTRUSTED;
  const kept = opts.dropAnalysis === false ? messages : dropEarlierAnalysis(messages);
  for (const m of kept) renderMessageInto(m, sink, functionTools, untrusted);
}

export function renderMessage(msg: HarmonyMessage, opts: RenderOptions = {}): string {
  const sink = new StringSink();
  renderMessageInto(msg, sink, false, opts.untrustedRoles ?? DEFAULT_UNTRUSTED);
  return sink.out;
}

/** The conversation as harmony text, without a next turn. */
export function renderConversation(messages: readonly HarmonyMessage[], opts: RenderOptions = {}): string {
  const sink = new StringSink();
  renderConversationInto(messages, sink, opts);
  return sink.out;
}

/** The prompt for inference: the conversation followed by `<|start|>assistant` (or another role). */
export function renderForCompletion(messages: readonly HarmonyMessage[], opts: RenderOptions & { nextRole?: HarmonyRole } = {}): string {
  return `${renderConversation(messages, opts)}${CONTROL.start}${opts.nextRole ?? 'assistant'}`;
}

/** For training data: a conversation ending in an assistant `final` message ends with `<|return|>`. */
export function renderForTraining(messages: readonly HarmonyMessage[], opts: RenderOptions = {}): string {
  const text = renderConversation(messages, opts);
  const last = messages[messages.length - 1];
  if (last && last.role === 'assistant' && last.channel === 'final' && text.endsWith(CONTROL.end)) {
    return text.slice(0, -CONTROL.end.length) + CONTROL.return;
  }
  return text;
}
