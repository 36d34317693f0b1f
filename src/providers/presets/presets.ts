/**
 * Every provider Switchyard knows by name: default base URL, key variable, locality and dialect.
 * A preset is configuration on the OpenAI-compatible base adapter (or, for Ollama, on the native
 * adapter); adding a vendor is one entry here. Sources: each vendor's API reference (checked 2026-11).
 */
import type { Dialect } from './dialect.js';

export const PRESET_TYPES = [
  'openrouter', 'together', 'groq', 'fireworks', 'deepinfra', 'cerebras', 'moonshot', 'zai', 'dashscope',
  'ollama', 'vllm', 'llamacpp', 'lmstudio', 'openai-compatible',
] as const;
export type PresetType = (typeof PRESET_TYPES)[number];

export interface Preset {
  type: PresetType;
  label: string;
  /** Default base URL (ends before `/chat/completions`; for Ollama, the server root). */
  baseUrl?: string;
  /** Environment variable read for the key when the config names none. */
  keyEnv?: string;
  locality: 'local' | 'cloud';
  /** Region where the vendor serves by default, for the catalog and `switchyard models`. */
  region?: string;
  dialect: Dialect;
  /** Headers some vendors ask callers to send (OpenRouter's app attribution). */
  headers?: Record<string, string>;
}

// Shapes shared by several vendors, named once.
const OPENAI_LIKE: Dialect = {
  reasoningField: 'reasoning', effort: 'reasoning_effort', reasoningInput: null,
  cachedTokens: 'prompt_tokens_details.cached_tokens', streamUsageIn: 'usage', reportsReasoningTokens: true,
};
/** DeepSeek's convention, followed by Moonshot, Z.ai, DashScope, vLLM and llama.cpp. */
const DEEPSEEK_LIKE: Dialect = {
  reasoningField: 'reasoning_content', effort: 'reasoning_effort', reasoningInput: 'reasoning_content',
  cachedTokens: 'prompt_tokens_details.cached_tokens', streamUsageIn: 'usage', reportsReasoningTokens: true,
};

export const PRESETS: Record<PresetType, Preset> = {
  openrouter: {
    type: 'openrouter', label: 'OpenRouter', baseUrl: 'https://openrouter.ai/api/v1', keyEnv: 'OPENROUTER_API_KEY', locality: 'cloud', region: 'global',
    // OpenRouter accepts `reasoning` on assistant messages and forwards it to models that use it.
    dialect: { ...OPENAI_LIKE, effort: 'openrouter', reasoningInput: 'reasoning' },
    headers: { 'x-title': 'Switchyard' },
  },
  together: {
    type: 'together', label: 'Together AI', baseUrl: 'https://api.together.xyz/v1', keyEnv: 'TOGETHER_API_KEY', locality: 'cloud', region: 'us',
    dialect: { ...OPENAI_LIKE },
  },
  groq: {
    type: 'groq', label: 'Groq', baseUrl: 'https://api.groq.com/openai/v1', keyEnv: 'GROQ_API_KEY', locality: 'cloud', region: 'us',
    // Groq rejects unknown message properties with a 400, so earlier reasoning is stripped.
    dialect: { ...OPENAI_LIKE, streamUsageIn: 'x_groq.usage' },
  },
  fireworks: {
    type: 'fireworks', label: 'Fireworks AI', baseUrl: 'https://api.fireworks.ai/inference/v1', keyEnv: 'FIREWORKS_API_KEY', locality: 'cloud', region: 'us',
    dialect: { ...DEEPSEEK_LIKE, reasoningInput: null },
  },
  deepinfra: {
    type: 'deepinfra', label: 'DeepInfra', baseUrl: 'https://api.deepinfra.com/v1/openai', keyEnv: 'DEEPINFRA_API_KEY', locality: 'cloud', region: 'us',
    dialect: { ...DEEPSEEK_LIKE, reasoningInput: null },
  },
  cerebras: {
    type: 'cerebras', label: 'Cerebras', baseUrl: 'https://api.cerebras.ai/v1', keyEnv: 'CEREBRAS_API_KEY', locality: 'cloud', region: 'us',
    // Cerebras validates message fields strictly; reasoning goes in `reasoning` out, never back in.
    dialect: { ...OPENAI_LIKE },
  },
  moonshot: {
    type: 'moonshot', label: 'Moonshot AI (Kimi)', baseUrl: 'https://api.moonshot.ai/v1', keyEnv: 'MOONSHOT_API_KEY', locality: 'cloud', region: 'cn',
    // Kimi K2's thinking models need `reasoning_content` kept on assistant turns across tool calls;
    // cache hits are reported as top-level `usage.cached_tokens`; effort has no knob.
    dialect: { ...DEEPSEEK_LIKE, effort: 'drop', cachedTokens: 'cached_tokens', reportsReasoningTokens: false },
  },
  zai: {
    type: 'zai', label: 'Z.ai (GLM)', baseUrl: 'https://api.z.ai/api/paas/v4', keyEnv: 'ZAI_API_KEY', locality: 'cloud', region: 'sg',
    // GLM's "preserved thinking" reads `reasoning_content` back; thinking is on/off, not levelled.
    dialect: { ...DEEPSEEK_LIKE, effort: 'zai' },
  },
  dashscope: {
    type: 'dashscope', label: 'Alibaba Cloud Model Studio (DashScope)', baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1', keyEnv: 'DASHSCOPE_API_KEY', locality: 'cloud', region: 'sg',
    // Qwen's docs ask callers not to send earlier reasoning back.
    dialect: { ...DEEPSEEK_LIKE, effort: 'dashscope', reasoningInput: null },
  },
  ollama: {
    type: 'ollama', label: 'Ollama (native /api/chat)', baseUrl: 'http://127.0.0.1:11434', locality: 'local',
    dialect: {
      reasoningField: 'thinking', effort: 'ollama', reasoningInput: 'thinking',
      cachedTokens: 'none', streamUsageIn: 'usage', reportsReasoningTokens: false,
    },
  },
  vllm: {
    type: 'vllm', label: 'vLLM', baseUrl: 'http://127.0.0.1:8000/v1', keyEnv: 'VLLM_API_KEY', locality: 'local',
    dialect: { ...DEEPSEEK_LIKE, reportsReasoningTokens: false },
  },
  llamacpp: {
    type: 'llamacpp', label: 'llama.cpp server', baseUrl: 'http://127.0.0.1:8080/v1', keyEnv: 'LLAMACPP_API_KEY', locality: 'local',
    dialect: { ...DEEPSEEK_LIKE, effort: 'chat_template_kwargs', reportsReasoningTokens: false },
  },
  lmstudio: {
    type: 'lmstudio', label: 'LM Studio', baseUrl: 'http://127.0.0.1:1234/v1', locality: 'local',
    dialect: { ...DEEPSEEK_LIKE, reasoningInput: null, reportsReasoningTokens: false },
  },
  'openai-compatible': {
    type: 'openai-compatible', label: 'any OpenAI-compatible server', locality: 'cloud',
    dialect: { ...OPENAI_LIKE },
  },
};

export const isPresetType = (t: string): t is PresetType => (PRESET_TYPES as readonly string[]).includes(t);
