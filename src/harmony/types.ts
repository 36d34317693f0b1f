/**
 * The harmony vocabulary (gpt-oss's chat format): messages with an author, an optional channel,
 * recipient and content type, plus the structured system and developer contents that the
 * renderer turns into text. Field names follow the harmony reference where a name exists.
 */

export type HarmonyRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';
export const HARMONY_ROLES: readonly HarmonyRole[] = ['system', 'developer', 'user', 'assistant', 'tool'];

export type ReasoningEffort = 'low' | 'medium' | 'high';

/** How a message ended in a completion: `<|end|>`, `<|call|>`, `<|return|>`, or end of input. */
export type MessageEnd = 'end' | 'call' | 'return' | 'eos';

export interface ToolDescription {
  name: string;
  description: string;
  /** A JSON Schema (object) for the single argument; absent for a no-argument tool. */
  parameters?: unknown;
}

export interface ToolNamespace {
  name: string;
  description?: string;
  tools: ToolDescription[];
}

export interface SystemContent {
  /** Default: "You are ChatGPT, a large language model trained by OpenAI." (what gpt-oss was trained on). */
  identity?: string | null;
  /** Default "2024-06"; null leaves the line out. */
  knowledgeCutoff?: string | null;
  /** `Current date: …`, left out when absent. */
  currentDate?: string | null;
  /** Default "medium"; null leaves the line out. */
  reasoningEffort?: ReasoningEffort | null;
  /** Built-in tool namespaces (browser, python), rendered sorted by name. */
  tools?: ToolNamespace[];
  /** Default ["analysis", "commentary", "final"]. */
  channels?: string[];
  /** Default true: "Channel must be included for every message." */
  channelRequired?: boolean;
}

export interface ResponseFormat {
  name: string;
  description?: string;
  schema: unknown;
}

export interface DeveloperContent {
  instructions?: string | null;
  /** The `functions` namespace; the usual place for client-defined tools. */
  functions?: ToolDescription[];
  /** Further namespaces, if any (rendered sorted by name with `functions`). */
  namespaces?: ToolNamespace[];
  /** `# Response Formats` section (OpenAI's `response_format: json_schema`). */
  responseFormats?: ResponseFormat[];
}

/** One message of a conversation. System and developer messages may carry structured content instead of text. */
export interface HarmonyMessage {
  role: HarmonyRole;
  /** Author name; for a tool message this is the tool (`functions.lookup_weather`, `browser.search`). */
  name?: string;
  channel?: string;
  recipient?: string;
  /** e.g. `<|constrain|>json` or `code`. */
  contentType?: string;
  content: string;
  system?: SystemContent;
  developer?: DeveloperContent;
}

/** A parsed message: what the model wrote, plus how it ended. */
export interface ParsedMessage {
  role: HarmonyRole;
  name?: string;
  channel?: string;
  recipient?: string;
  contentType?: string;
  content: string;
  end: MessageEnd;
}

/** The harmony control tokens and their o200k_harmony ids. */
export const CONTROL = {
  start: '<|start|>',
  end: '<|end|>',
  message: '<|message|>',
  channel: '<|channel|>',
  constrain: '<|constrain|>',
  return: '<|return|>',
  call: '<|call|>',
} as const;
export type ControlName = keyof typeof CONTROL;

export const CONTROL_IDS: Record<ControlName, number> = {
  start: 200006,
  end: 200007,
  message: 200008,
  channel: 200005,
  constrain: 200003,
  return: 200002,
  call: 200012,
};
