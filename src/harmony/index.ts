/** Public surface of Switchyard's harmony library (gpt-oss's chat format). See docs/harmony.md. */
export * from './types.js';
export { renderConversation, renderConversationInto, renderForCompletion, renderForTraining, renderMessage, type RenderOptions, type RenderSink } from './render.js';
export { dropEarlierAnalysis } from './drop-analysis.js';
export { schemaToTypeScript } from './schema-to-ts.js';
export { BROWSER_NAMESPACE, PYTHON_NAMESPACE } from './builtin-tools.js';
export { harmonyFromOpenAI, renderOpenAIPrompt, mapReasoningEffort, contentText, type FromOpenAIOptions } from './from-openai.js';
export { HarmonyStreamParser, type HarmonyEvent, type StreamParserOptions } from './stream-parser.js';
export { HarmonyParseError, parseHeader, type ParsedHeader } from './header.js';
export { parseText, parseTokens, toWireMessage } from './parse.js';
export { encode, decode, countTokens, isSpecialToken, specialTokenText, renderConversationTokens, renderForCompletionTokens } from './tokens.js';
export { neutralize, sanitizeHeaderField, hasControlSequence, FULLWIDTH_BAR } from './neutralize.js';
export { HarmonyPartMapper, collectChoice, toolNameOf, type PartMapperOptions } from './reasoning-policy.js';
