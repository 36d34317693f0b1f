/**
 * Issue 8 end to end: a non-gpt-oss local model (tiny llama, chat template from the file) through the
 * real gateway, and start-up failing clearly on a bad model path.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath } from '../../helpers/paths.js';
import { tempDir } from '../../helpers/procs.js';
import { HELLO_PIECES } from '../../helpers/local-models.js';
import { collect } from '../../helpers/chat-stream.js';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { writeTinyModel } from '../../helpers/gguf.js';
import { startLocalStack, writeLocalConfig, type LocalStack } from './local-stack.js';

const HELLO = HELLO_PIECES.join('');

describe('embedded tiny llama through the gateway', () => {
  let s: LocalStack;
  before(async () => {
    s = await startLocalStack('tiny-llama', { arch: 'llama', script: { after: '\n', pieces: HELLO_PIECES } });
  });
  after(async () => { await s?.stop(); });

  test('non-streaming and streaming give exactly the planted answer', async () => {
    const messages = [{ role: 'user' as const, content: 'Hi' }];
    const r = await s.client.chat.completions.create({ model: 'tiny-llama', messages });
    assert.equal(r.choices[0].message.content, HELLO);
    assert.equal(r.choices[0].finish_reason, 'stop');
    const x = await collect(await s.client.chat.completions.create({ model: 'tiny-llama', messages, stream: true }));
    assert.equal(x.content, HELLO);
    assert.equal(x.finish, 'stop');
  });

  test('max_tokens cuts the answer and says length', async () => {
    const r = await s.client.chat.completions.create({ model: 'tiny-llama', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 2 });
    assert.equal(r.choices[0].message.content, HELLO_PIECES.slice(0, 2).join(''));
    assert.equal(r.choices[0].finish_reason, 'length');
  });
});

/** Runs `switchyard serve` to completion and returns its exit code and output. */
function serveOnce(cfgPath: string, dir: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [cliPath, 'serve', '--config', cfgPath, '--port', '0', '--db', join(dir, 'x.db')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => { output += c.toString(); });
  child.stderr.on('data', (c: Buffer) => { output += c.toString(); });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('a bad local model path stops start-up', () => {
  const dir = tempDir('switchyard-local-bad-');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file: non-zero exit, the message names the model and the path', async () => {
    const cfg = writeLocalConfig(dir, [{ name: 'gpt-oss-20b', path: 'models/missing-gpt-oss.gguf' }]);
    const { code, output } = await serveOnce(cfg, dir);
    assert.notEqual(code, 0);
    assert.match(output, /local model "gpt-oss-20b"/);
    assert.ok(output.includes(join(dir, 'models/missing-gpt-oss.gguf')), output);
    assert.match(output, /file not found/);
    assert.ok(!output.includes('listening on'));
  });

  test('a deployment naming a model the local provider does not list: non-zero exit naming both', async () => {
    writeTinyModel(dir, 'tiny.gguf', { arch: 'llama', script: { after: '\n', pieces: HELLO_PIECES } });
    const cfg = join(dir, 'typo.yaml');
    writeFileSync(cfg, stringify({
      providers: [{ id: 'local', type: 'local', models: [{ name: 'tiny', path: 'tiny.gguf' }] }],
      models: [{ name: 'fast', deployments: [{ provider: 'local', model: 'tiny-typo' }] }],
    }));
    const { code, output } = await serveOnce(cfg, dir);
    assert.notEqual(code, 0);
    assert.match(output, /models\[0\]\.deployments\[0\]\.model: local provider 'local' has no model 'tiny-typo' \(known: tiny\)/);
  });
});
