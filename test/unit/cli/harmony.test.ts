/** `switchyard harmony render|parse` through `run`, with in-memory streams. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../../../src/cli/harmony.js';
import { runCli as runCommand } from '../../helpers/cli-io.js';

const cli = (args: string[], stdin = '') => runCommand(run, args, stdin);

test('render an OpenAI chat request', async () => {
  const { code, out } = await cli(['render', '--date', '2025-06-28'], JSON.stringify({
    messages: [{ role: 'system', content: 'Be terse.' }, { role: 'user', content: 'Hi' }], reasoning_effort: 'low',
  }));
  assert.equal(code, 0);
  assert.ok(out.startsWith('<|start|>system<|message|>You are ChatGPT'));
  assert.ok(out.includes('Current date: 2025-06-28\n\nReasoning: low'));
  assert.ok(out.includes('<|start|>developer<|message|># Instructions\n\nBe terse.<|end|>'));
  assert.ok(out.endsWith('<|start|>user<|message|>Hi<|end|><|start|>assistant\n'));
});

test('render a harmony conversation, exactly as written', async () => {
  const convo = {
    messages: [
      { role: 'system', content: { reasoning_effort: 'high', tools: ['browser'] } },
      { role: 'user', content: 'What is 2 + 2?' },
      { role: 'assistant', channel: 'analysis', content: 'Simple.' },
      { role: 'assistant', channel: 'commentary', recipient: 'functions.calc', content_type: '<|constrain|>json', content: '{"x":2}' },
    ],
  };
  const { code, out } = await cli(['render', '--no-completion'], JSON.stringify(convo));
  assert.equal(code, 0);
  assert.ok(out.includes('Reasoning: high\n\n# Tools\n\n## browser'));
  assert.ok(out.endsWith('<|start|>assistant<|channel|>analysis<|message|>Simple.<|end|><|start|>assistant to=functions.calc<|channel|>commentary <|constrain|>json<|message|>{"x":2}<|call|>\n'));
});

test('parse text into JSON messages; strict mode reports malformed input with exit 1', async () => {
  const text = '<|channel|>analysis<|message|>think<|end|><|start|>assistant<|channel|>commentary to=functions.f <|constrain|>json<|message|>{}<|call|>\n';
  const { code, out } = await cli(['parse'], text);
  assert.equal(code, 0);
  assert.deepEqual(JSON.parse(out), [
    { role: 'assistant', channel: 'analysis', recipient: null, content_type: null, content: 'think' },
    { role: 'assistant', channel: 'commentary', recipient: 'functions.f', content_type: '<|constrain|>json', content: '{}' },
  ]);
  const bad = await cli(['parse', '--strict'], 'I must refuse<|end|><|start|>assistant<|channel|>final<|message|>x<|return|>');
  assert.equal(bad.code, 1);
  assert.match(bad.err, /unexpected tokens remaining/);
  const lenient = await cli(['parse'], 'I must refuse<|end|>');
  assert.deepEqual(JSON.parse(lenient.out), [{ role: 'assistant', channel: null, recipient: null, content_type: null, content: 'I must refuse' }]);
});

test('parse a transcript starting with <|start|>, and token ids', async () => {
  const { out } = await cli(['parse'], '<|start|>browser.search to=assistant<|channel|>commentary<|message|>{"r":1}<|end|>');
  assert.deepEqual(JSON.parse(out), [{ role: 'tool', name: 'browser.search', channel: 'commentary', recipient: 'assistant', content_type: null, content: '{"r":1}' }]);
  const tokens = await cli(['parse', '--tokens'], '200005 17196 200008 24912 2375 200002');
  assert.deepEqual(JSON.parse(tokens.out), [{ role: 'assistant', channel: 'final', recipient: null, content_type: null, content: 'hello world' }]);
});

test('help and usage errors', async () => {
  const help = await cli(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /switchyard harmony <command>/);
  assert.match((await cli(['render', '--help'])).out, /--no-completion/);
  const bad = await cli(['render'], 'not json');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /not JSON/);
  assert.equal((await cli(['frobnicate'])).code, 2);
});
