/**
 * The inputs behind each golden file in ../shared/harmony-fixtures/test-data, as its README
 * describes them (the reference tests build these conversations in code).
 */
import { BROWSER_NAMESPACE, PYTHON_NAMESPACE } from '../../../src/harmony/builtin-tools.js';
import type { HarmonyMessage, ParsedMessage, ReasoningEffort, SystemContent, ToolDescription } from '../../../src/harmony/types.js';

export type RenderMode = 'completion' | 'completion-keep-analysis' | 'conversation';
export interface RenderFixture { kind: 'render'; messages: HarmonyMessage[]; mode: RenderMode }
export interface ParseFixture {
  kind: 'parse-text' | 'parse-tokens';
  role: 'assistant' | null;
  expected: Omit<ParsedMessage, 'end'>[];
}

const sys = (s: SystemContent = {}): HarmonyMessage => ({ role: 'system', content: '', system: s });
const user = (content: string): HarmonyMessage => ({ role: 'user', content });
const assistant = (channel: string, content: string): HarmonyMessage => ({ role: 'assistant', channel, content });
const robot: HarmonyMessage = { role: 'developer', content: '', developer: { instructions: "Answer the user's questions like a robot." } };
const capital = user('What is the capital of the largest country in the world?');

function effort(e: ReasoningEffort, withInstructions: boolean): RenderFixture {
  return { kind: 'render', mode: 'completion', messages: [sys({ reasoningEffort: e }), ...(withInstructions ? [robot] : []), capital] };
}

const weatherFunctions: ToolDescription[] = [
  { name: 'get_location', description: 'Gets the location of the user.' },
  {
    name: 'get_current_weather',
    description: 'Gets the current weather in the provided location.',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
        format: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
      },
      required: ['location'],
    },
  },
  {
    name: 'get_multiple_weathers',
    description: 'Gets the current weather in the provided list of locations.',
    parameters: {
      type: 'object',
      properties: {
        locations: { type: 'array', items: { type: 'string' }, description: 'List of city and state, e.g. ["San Francisco, CA", "New York, NY"]' },
        format: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' },
      },
      required: ['locations'],
    },
  },
  {
    name: 'kitchensink',
    description: 'A function with various complex schemas.',
    parameters: {
      description: 'params object',
      type: 'object',
      properties: {
        string: { type: 'string', title: 'STRING', description: 'A string', examples: ['hello', 'world'] },
        string_nullable: { type: 'string', nullable: true, description: 'A nullable string', default: 'the default' },
        string_enum: { type: 'string', enum: ['a', 'b', 'c'] },
        oneof_string_or_number: {
          oneOf: [
            { type: 'string', default: 'default_string_in_oneof' },
            { type: 'number', description: 'numbers can happen too' },
          ],
          description: 'a oneof',
          default: 20,
        },
      },
    },
  },
];

const lookupWeather: ToolDescription = {
  name: 'lookup_weather',
  description: "Use this tool to lookup the weather in a given location. Call it with the parameter 'location', can be any textual description of a location.",
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

const twoPlusTwo = (analysis: string): HarmonyMessage[] => [
  user('What is 2 + 2?'), assistant('analysis', analysis), assistant('final', '2 + 2 equals 4.'), user('What about 9 / 2?'),
];

export const FIXTURES: Record<string, RenderFixture | ParseFixture> = {
  'test_simple_convo.txt': { kind: 'render', mode: 'completion', messages: [sys(), user('What is 2 + 2?')] },
  'test_simple_convo_low_effort.txt': effort('low', true),
  'test_simple_convo_medium_effort.txt': effort('medium', true),
  'test_simple_convo_high_effort.txt': effort('high', true),
  'test_simple_convo_low_effort_no_instruction.txt': effort('low', false),
  'test_simple_convo_medium_effort_no_instruction.txt': effort('medium', false),
  'test_simple_convo_high_effort_no_instruction.txt': effort('high', false),
  'test_reasoning_system_message.txt': {
    kind: 'render', mode: 'completion',
    messages: [sys({ reasoningEffort: 'medium', channels: ['analysis', 'final'] }), user('What is 2 + 2?')],
  },
  'test_reasoning_system_message_no_instruction.txt': {
    kind: 'render', mode: 'completion',
    messages: [sys({ reasoningEffort: 'high', channels: ['analysis', 'final'] }), user('What is the best place to eat candy in the world?')],
  },
  'test_reasoning_system_message_with_dates.txt': {
    kind: 'render', mode: 'completion',
    messages: [sys({ channels: ['analysis', 'final'], knowledgeCutoff: '2021-01', currentDate: '2021-01-01' }), user('What is 42 * pi?')],
  },
  'test_no_tools.txt': { kind: 'render', mode: 'completion', messages: [sys({ currentDate: '2025-06-28' })] },
  'test_browser_tool_only.txt': { kind: 'render', mode: 'completion', messages: [sys({ currentDate: '2025-06-28', tools: [BROWSER_NAMESPACE] })] },
  'test_browser_and_python_tool.txt': {
    kind: 'render', mode: 'completion',
    // Given out of order on purpose: namespaces render sorted.
    messages: [sys({ currentDate: '2025-06-28', tools: [PYTHON_NAMESPACE, BROWSER_NAMESPACE] })],
  },
  'test_browser_and_function_tool.txt': {
    kind: 'render', mode: 'completion',
    messages: [sys({ currentDate: '2025-06-28', tools: [BROWSER_NAMESPACE] }), { role: 'developer', content: '', developer: { functions: [lookupWeather] } }],
  },
  'test_render_functions_with_parameters.txt': {
    kind: 'render', mode: 'completion',
    messages: [
      sys({ reasoningEffort: 'high', currentDate: '2025-06-28' }),
      { role: 'developer', content: '', developer: { instructions: 'Always respond in riddles', functions: weatherFunctions } },
      user('What is the weather like in SF?'),
    ],
  },
  'test_dropping_cot_by_default.txt': {
    kind: 'render', mode: 'completion', messages: twoPlusTwo('User asks: \u201cWhat is 2 + 2?\u201d Simple arithmetic. Provide answer.'),
  },
  'test_preserve_cot.txt': {
    kind: 'render', mode: 'completion-keep-analysis', messages: twoPlusTwo('User asks a simple question: "What is 2 + 2?" The answer: 4.'),
  },
  'test_does_not_drop_if_ongoing_analysis.txt': {
    kind: 'render', mode: 'completion',
    messages: [
      user('What is the weather in SF?'),
      assistant('analysis', 'User asks: \u201cWhat is the weather in SF?\u201d We need to use lookup_weather tool.'),
      { role: 'assistant', channel: 'commentary', recipient: 'functions.lookup_weather', contentType: '<|constrain|>json', content: '{"location": "San Francisco"}' },
      { role: 'tool', name: 'functions.lookup_weather', content: '{"temperature": 20, "description": "sunny"}' },
    ],
  },
  'test_keep_analysis_between_finals.txt': {
    kind: 'render', mode: 'conversation',
    messages: [
      user('What is 2 + 2?'), assistant('analysis', 'thinking 2+2'), assistant('final', '4'),
      user('What is 3 + 5?'), assistant('analysis', 'thinking 3+5'), assistant('final', '8'),
    ],
  },
  'test_simple_reasoning_response.txt': {
    kind: 'parse-tokens', role: 'assistant',
    expected: [
      { role: 'assistant', channel: 'analysis', content: 'User asks: "What is 2 + 2?" Simple arithmetic. Provide answer.' },
      { role: 'assistant', channel: 'final', content: '2 + 2 = 4.' },
    ],
  },
  'test_simple_tool_call.txt': {
    kind: 'parse-tokens', role: 'assistant',
    expected: [
      { role: 'assistant', channel: 'analysis', content: 'User asks: "What is the weather in Tokyo?" We need to use lookup_weather tool.' },
      { role: 'assistant', channel: 'analysis', recipient: 'lookup_weather', contentType: 'code', content: '{"location": "Tokyo"}' },
    ],
  },
  'test_tool_response_parsing.txt': {
    kind: 'parse-text', role: null,
    expected: [{ role: 'tool', name: 'browser.search', recipient: 'assistant', channel: 'commentary', content: '{"result": "https://openai.com/"}' }],
  },
  'test_streamable_parser.txt': {
    kind: 'parse-text', role: 'assistant',
    expected: [
      {
        role: 'assistant', channel: 'analysis',
        content: 'User asks "Who is the current US president?" It\'s 2025, presumably current president is Joe Biden? Actually as of 2025-07-28, '
          + 'there was a 2024 election. In 2024, President is probably President Biden still? But w\ne need up to date info. Let\'s browse to confirm.',
      },
      { role: 'assistant', channel: 'commentary', recipient: 'browser.search', contentType: 'code', content: '{"query": "current US president July 2025", "topn": 10, "source": "news"}' },
      { role: 'tool', name: 'browser.search', recipient: 'assistant', channel: 'commentary', content: '{"result": "https://openai.com/"}' },
    ],
  },
};
