/**
 * The text bodies of the system and developer messages. Layout follows the harmony reference
 * renderer exactly (sections joined by a blank line, tools as `## name` namespaces), because
 * gpt-oss was trained on it; the conformance fixtures check every line.
 */
import { schemaToTypeScript } from './schema-to-ts.js';
import type { DeveloperContent, SystemContent, ToolNamespace } from './types.js';

export const DEFAULT_IDENTITY = 'You are ChatGPT, a large language model trained by OpenAI.';
export const DEFAULT_KNOWLEDGE_CUTOFF = '2024-06';
export const DEFAULT_CHANNELS: readonly string[] = ['analysis', 'commentary', 'final'];
export const FUNCTIONS_CHANNEL_NOTE = "Calls to these tools must go to the commentary channel: 'functions'.";

/** Lines like Rust's `str::lines`: no phantom empty line after a trailing newline. */
function lines(text: string): string[] {
  if (text === '') return [];
  const out = text.split(/\r?\n/);
  if (out.length > 1 && out[out.length - 1] === '') out.pop();
  return out;
}

function renderNamespace(ns: ToolNamespace): string {
  const out = [`## ${ns.name}\n`];
  const hasTools = ns.tools.length > 0;
  // Without tools the description is prose (python); with tools it is a comment above the namespace.
  if (ns.description !== undefined) for (const line of lines(ns.description)) out.push(hasTools ? `// ${line}` : line);
  if (hasTools) {
    out.push(`namespace ${ns.name} {\n`);
    for (const tool of ns.tools) {
      for (const line of lines(tool.description)) out.push(`// ${line}`);
      out.push(tool.parameters === undefined || tool.parameters === null
        ? `type ${tool.name} = () => any;\n`
        : `type ${tool.name} = (_: ${schemaToTypeScript(tool.parameters)}) => any;\n`);
    }
    out.push(`} // namespace ${ns.name}`);
  }
  return out.join('\n');
}

/** `# Tools` followed by each namespace, sorted by name like the reference's ordered map. */
export function renderToolsSection(namespaces: readonly ToolNamespace[]): string {
  const sorted = [...namespaces].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return ['# Tools', ...sorted.map(renderNamespace)].join('\n\n');
}

export function renderSystemContent(sys: SystemContent, hasFunctionTools: boolean): string {
  const sections: string[] = [];
  const top: string[] = [];
  const identity = sys.identity === undefined ? DEFAULT_IDENTITY : sys.identity;
  const cutoff = sys.knowledgeCutoff === undefined ? DEFAULT_KNOWLEDGE_CUTOFF : sys.knowledgeCutoff;
  if (identity) top.push(identity);
  if (cutoff) top.push(`Knowledge cutoff: ${cutoff}`);
  if (sys.currentDate) top.push(`Current date: ${sys.currentDate}`);
  if (top.length) sections.push(top.join('\n'));
  const effort = sys.reasoningEffort === undefined ? 'medium' : sys.reasoningEffort;
  if (effort) sections.push(`Reasoning: ${effort}`);
  if (sys.tools && sys.tools.length) sections.push(renderToolsSection(sys.tools));
  const channels = sys.channels ?? DEFAULT_CHANNELS;
  if (channels.length) {
    let header = `# Valid channels: ${channels.join(', ')}.`;
    if (sys.channelRequired !== false) header += ' Channel must be included for every message.';
    if (hasFunctionTools) header += `\n${FUNCTIONS_CHANNEL_NOTE}`;
    sections.push(header);
  }
  return sections.join('\n\n');
}

export function developerNamespaces(dev: DeveloperContent): ToolNamespace[] {
  const out: ToolNamespace[] = [...(dev.namespaces ?? [])];
  if (dev.functions && dev.functions.length) out.push({ name: 'functions', tools: dev.functions });
  return out;
}

export function renderDeveloperContent(dev: DeveloperContent): string {
  const sections: string[] = [];
  if (dev.instructions !== undefined && dev.instructions !== null) sections.push('# Instructions', dev.instructions);
  const namespaces = developerNamespaces(dev);
  if (namespaces.length) sections.push(renderToolsSection(namespaces));
  if (dev.responseFormats && dev.responseFormats.length) {
    // Not in the reference renderer; this is the layout of harmony's format guide.
    const formats = dev.responseFormats.map((f) =>
      [`## ${f.name}`, `${f.description ? `// ${f.description}\n` : ''}${JSON.stringify(f.schema)}`].join('\n\n'));
    sections.push(['# Response Formats', ...formats].join('\n\n'));
  }
  return sections.join('\n\n');
}
