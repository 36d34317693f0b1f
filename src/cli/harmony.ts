/**
 * `switchyard harmony render|parse`: the harmony library from a shell, for users debugging their own
 * engines. `render` reads a JSON conversation (an OpenAI chat request, or harmony messages) and
 * prints the prompt gpt-oss would see; `parse` reads raw harmony text and prints its messages.
 */
import { BROWSER_NAMESPACE, PYTHON_NAMESPACE } from '../harmony/builtin-tools.js';
import { harmonyFromOpenAI, mapReasoningEffort } from '../harmony/from-openai.js';
import { HarmonyParseError } from '../harmony/header.js';
import { parseText, parseTokens, toWireMessage } from '../harmony/parse.js';
import { renderConversation, renderForCompletion, renderForTraining } from '../harmony/render.js';
import { HARMONY_ROLES, type HarmonyMessage, type HarmonyRole, type SystemContent, type ToolDescription, type ToolNamespace } from '../harmony/types.js';

export interface CliIo { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }

export const HARMONY_HELP = `Usage: switchyard harmony <command> [options]

Render and parse OpenAI harmony, the chat format of gpt-oss.

Commands:
  render   JSON conversation on stdin -> harmony prompt text on stdout
  parse    harmony text on stdin -> JSON array of messages on stdout

render options:
  --format auto|openai|harmony  input kind (default auto). openai: a chat request
                                {messages, tools?, reasoning_effort?, response_format?};
                                harmony: {messages:[{role, channel?, recipient?, content_type?, content}]}
  --date YYYY-MM-DD             add "Current date:" to the system message (openai input)
  --no-completion               do not append "<|start|>assistant" (the next-turn header)
  --training                    render for training (a final answer ends with <|return|>)
  --keep-analysis               keep chain-of-thought of completed earlier turns

parse options:
  --strict                      fail on malformed harmony instead of recovering (exit 1)
  --role assistant|none         role of text that starts without <|start|> (default: assistant,
                                or none when the input starts with <|start|>)
  --tokens                      stdin holds whitespace-separated o200k_harmony token ids

Examples:
  echo '{"messages":[{"role":"user","content":"Hi"}]}' | switchyard harmony render
  printf '<|channel|>final<|message|>Hello<|return|>' | switchyard harmony parse
`;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

class UsageError extends Error {}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

function looksHarmony(body: Json): boolean {
  if (body.format === 'harmony') return true;
  if (body.tools !== undefined || body.reasoning_effort !== undefined || body.response_format !== undefined) return false;
  const msgs = Array.isArray(body.messages) ? body.messages.filter(isObj) : [];
  if (msgs.some((m) => m.tool_calls !== undefined || m.tool_call_id !== undefined || m.reasoning !== undefined)) return false;
  return msgs.some((m) => m.channel !== undefined || m.recipient !== undefined || isObj(m.content) || (m.role === 'tool' && typeof m.name === 'string'));
}

function toolList(v: unknown): ToolDescription[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObj).map((t) => {
    const fn = isObj(t.function) ? t.function : t; // OpenAI shape or a bare {name, description, parameters}
    const name = str(fn.name);
    if (!name) throw new UsageError('a tool has no name');
    return { name, description: str(fn.description) ?? '', ...(fn.parameters !== undefined ? { parameters: fn.parameters } : {}) };
  });
}

function systemContent(c: Json): SystemContent {
  const builtins: ToolNamespace[] = [];
  for (const t of Array.isArray(c.tools) ? c.tools : []) {
    if (t === 'browser') builtins.push(BROWSER_NAMESPACE);
    else if (t === 'python') builtins.push(PYTHON_NAMESPACE);
    else throw new UsageError(`unknown built-in tool ${JSON.stringify(t)} (browser or python)`);
  }
  const out: SystemContent = {};
  const pick = (...keys: string[]): unknown => keys.map((k) => c[k]).find((v) => v !== undefined);
  const identity = pick('identity', 'model_identity');
  if (identity !== undefined) out.identity = str(identity) ?? null;
  const cutoff = pick('knowledgeCutoff', 'knowledge_cutoff');
  if (cutoff !== undefined) out.knowledgeCutoff = str(cutoff) ?? null;
  const date = pick('currentDate', 'current_date', 'conversation_start_date');
  if (date !== undefined) out.currentDate = str(date) ?? null;
  const effort = pick('reasoningEffort', 'reasoning_effort');
  if (effort !== undefined) out.reasoningEffort = mapReasoningEffort(effort) ?? null;
  const channels = pick('channels', 'valid_channels');
  if (Array.isArray(channels)) out.channels = channels.filter((x): x is string => typeof x === 'string');
  if (builtins.length) out.tools = builtins;
  return out;
}

function harmonyMessages(body: Json): HarmonyMessage[] {
  if (!Array.isArray(body.messages)) throw new UsageError('input has no "messages" array');
  return body.messages.map((raw, i) => {
    if (!isObj(raw)) throw new UsageError(`messages[${i}] is not an object`);
    const role = raw.role;
    if (typeof role !== 'string' || !(HARMONY_ROLES as readonly string[]).includes(role)) {
      throw new UsageError(`messages[${i}].role must be one of ${HARMONY_ROLES.join(', ')}`);
    }
    const msg: HarmonyMessage = { role: role as HarmonyRole, content: typeof raw.content === 'string' ? raw.content : '' };
    const name = str(raw.name);
    if (name) msg.name = name;
    const channel = str(raw.channel);
    if (channel) msg.channel = channel;
    const recipient = str(raw.recipient);
    if (recipient) msg.recipient = recipient;
    const ct = str(raw.content_type) ?? str(raw.contentType);
    if (ct) msg.contentType = ct;
    if (isObj(raw.content) && role === 'system') msg.system = systemContent(raw.content);
    else if (isObj(raw.content) && role === 'developer') {
      const instructions = str(raw.content.instructions);
      const functions = toolList(raw.content.tools);
      msg.developer = { ...(instructions !== undefined ? { instructions } : {}), ...(functions.length ? { functions } : {}) };
    } else if (isObj(raw.content)) throw new UsageError(`messages[${i}].content must be a string`);
    return msg;
  });
}

function flag(args: string[], name: string): boolean {
  const i = args.indexOf(name);
  if (i >= 0) args.splice(i, 1);
  return i >= 0;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

async function render(args: string[], io: CliIo): Promise<number> {
  const format = option(args, '--format') ?? 'auto';
  const date = option(args, '--date');
  const noCompletion = flag(args, '--no-completion');
  const training = flag(args, '--training');
  const keepAnalysis = flag(args, '--keep-analysis');
  if (args.length) throw new UsageError(`unknown argument ${args[0]}`);
  if (!['auto', 'openai', 'harmony'].includes(format)) throw new UsageError('--format must be auto, openai or harmony');
  let body: unknown;
  try {
    body = JSON.parse(await readAll(io.stdin));
  } catch (err) {
    throw new UsageError(`stdin is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!isObj(body)) throw new UsageError('stdin must hold a JSON object');
  const harmony = format === 'harmony' || (format === 'auto' && looksHarmony(body));
  const messages = harmony ? harmonyMessages(body) : harmonyFromOpenAI(body, { system: date ? { currentDate: date } : {} });
  const opts = { dropAnalysis: !keepAnalysis };
  const text = training ? renderForTraining(messages, opts)
    : noCompletion ? renderConversation(messages, opts) : renderForCompletion(messages, opts);
  io.stdout.write(`${text}\n`);
  return 0;
}

async function parse(args: string[], io: CliIo): Promise<number> {
  const strict = flag(args, '--strict');
  const tokens = flag(args, '--tokens');
  const role = option(args, '--role');
  if (args.length) throw new UsageError(`unknown argument ${args[0]}`);
  if (role !== undefined && role !== 'none' && !(HARMONY_ROLES as readonly string[]).includes(role)) throw new UsageError('--role must be a role or none');
  let input = await readAll(io.stdin);
  // A trailing newline from `echo` is not part of the completion (the fixtures are right-trimmed too).
  input = input.replace(/\r?\n$/, '');
  const startRole = role === 'none' ? null : (role as HarmonyRole | undefined) ?? (input.trimStart().startsWith('<|start|>') ? null : 'assistant');
  try {
    const messages = tokens
      ? parseTokens(input.trim().split(/\s+/).filter(Boolean).map((t) => {
        const n = Number(t);
        if (!Number.isInteger(n)) throw new UsageError(`not a token id: ${t}`);
        return n;
      }), { role: startRole, strict })
      : parseText(input, { role: startRole, strict });
    io.stdout.write(`${JSON.stringify(messages.map(toWireMessage), null, 2)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof HarmonyParseError) {
      io.stderr.write(`harmony parse error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

export async function run(args: string[], io: CliIo): Promise<number> {
  const rest = [...args];
  const cmd = rest.shift();
  try {
    if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h' || rest.includes('--help') || rest.includes('-h')) {
      io.stdout.write(HARMONY_HELP);
      return cmd === undefined ? 2 : 0;
    }
    if (cmd === 'render') return await render(rest, io);
    if (cmd === 'parse') return await parse(rest, io);
    throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`switchyard harmony: ${err.message}\nRun "switchyard harmony --help" for usage.\n`);
      return 2;
    }
    throw err;
  }
}
