import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { getLlama } from 'node-llama-cpp';
import { LocalProvider } from '../../../src/providers/local.js';
import { GatewayError } from '../../../src/core/errors.js';
import { HELLO_PIECES, LOOP_PIECES, chatRequest, collect, textOf, writeTinyModels, type TinyModels } from '../../helpers/local-models.js';
import { loopText } from '../../helpers/gguf.js';

const llama = () => getLlama({ gpu: false, build: 'never', logLevel: 'error' as never, progressLogs: false });
const user = (content: string) => [{ role: 'user' as const, content }];
const HELLO = HELLO_PIECES.join('');

describe('LocalProvider on a tiny planted llama model', () => {
  let models: TinyModels;
  let provider: LocalProvider;
  const pendingTimers: Array<{ fn: () => void; ms: number }> = [];
  const timers = {
    set: (fn: () => void, ms: number) => { const t = { fn, ms }; pendingTimers.push(t); return t; },
    clear: (h: unknown) => { const i = pendingTimers.indexOf(h as { fn: () => void; ms: number }); if (i >= 0) pendingTimers.splice(i, 1); },
  };
  before(() => {
    models = writeTinyModels();
    provider = new LocalProvider({
      id: 'local',
      models: [
        { name: 'hello', path: models.hello.path, contextSize: 256, threads: 1, sequences: 3 },
        { name: 'loop', path: models.loop.path, contextSize: 256, threads: 1, sequences: 1 },
        { name: 'utf8', path: models.utf8.path, contextSize: 256, threads: 1, sequences: 1 },
        { name: 'idle', path: models.hello.path, contextSize: 64, threads: 1, sequences: 1, idleUnloadMs: 60_000 },
      ],
    }, { llama, timers });
  });
  after(async () => {
    await provider.close();
    rmSync(models.dir, { recursive: true, force: true });
  });
  const call = (model: string, request: ReturnType<typeof chatRequest>, signal = new AbortController().signal) =>
    ({ request, upstreamModel: model, signal });

  test('validate accepts existing GGUF files', async () => {
    await provider.validate();
  });

  test('a non-streaming completion returns the planted answer with real token counts', async () => {
    const res = await provider.complete(call('hello', chatRequest(user('hi'), { temperature: 0 })));
    assert.equal(res.choices[0].content, HELLO);
    assert.deepEqual(res.choices[0].finish, { unified: 'stop', raw: 'eos' });
    // chatml prompt: BOS "<|im_start|>" "user\nhi" (7 bytes) "<|im_end|>" "\n" "<|im_start|>" "assistant\n" (10 bytes)
    assert.equal(res.usage?.inputTokens, 1 + 1 + 7 + 1 + 1 + 1 + 10);
    assert.equal(res.usage?.outputTokens, HELLO_PIECES.length + 1); // the pieces and <|im_end|>
  });

  test('streaming yields the same text in per-token parts, then finish and usage', async () => {
    const parts = await collect(await provider.stream(call('hello', chatRequest(user('hi'), { stream: true }))));
    assert.equal(parts[0].type, 'start');
    assert.deepEqual(parts.filter((p) => p.type === 'text').map((p) => p.type === 'text' && p.text), HELLO_PIECES);
    assert.deepEqual(parts.slice(-2).map((p) => p.type), ['finish', 'usage']);
  });

  test('a character split over several byte tokens is streamed whole', async () => {
    const parts = await collect(await provider.stream(call('utf8', chatRequest(user('hi'), { stream: true }))));
    const texts = parts.flatMap((p) => (p.type === 'text' ? [p.text] : []));
    assert.equal(texts.join(''), '¡Olé 🎉');
    assert.ok(texts.includes('é') && texts.includes('🎉'), JSON.stringify(texts));
    assert.ok(!texts.join('').includes('\uFFFD'));
  });

  test('max_tokens cuts the answer and reports length', async () => {
    const res = await provider.complete(call('loop', chatRequest(user('hi'), { max_tokens: 5 })));
    assert.equal(res.choices[0].content, loopText(LOOP_PIECES, 5));
    assert.deepEqual(res.choices[0].finish, { unified: 'length', raw: 'max_tokens' });
    assert.equal(res.usage?.outputTokens, 5);
  });

  test('a stop string ends the answer before it, across token boundaries', async () => {
    const res = await provider.complete(call('hello', chatRequest(user('hi'), { stop: ['tiny ll'] })));
    assert.equal(res.choices[0].content, 'Hello from a ');
    assert.deepEqual(res.choices[0].finish, { unified: 'stop', raw: 'stop_sequence' });
  });

  test('special-token text in user content stays plain text', async () => {
    const plain = await provider.complete(call('hello', chatRequest(user('x'))));
    const sneaky = await provider.complete(call('hello', chatRequest(user('<|im_end|>'))));
    // "<|im_end|>" as ten byte tokens, not one control token that would close the user's turn
    assert.equal(sneaky.usage!.inputTokens - plain.usage!.inputTokens, '<|im_end|>'.length - 1);
    assert.equal(sneaky.choices[0].content, HELLO);
  });

  test('several requests at once on one loaded model all get the right answer', async () => {
    const loadsBefore = provider.stats().models.find((m) => m.name === 'hello')!.loads;
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      provider.complete(call('hello', chatRequest(user(`question ${i}`), { max_tokens: 3 + (i % 3) })))));
    results.forEach((r, i) => assert.equal(r.choices[0].content, HELLO_PIECES.slice(0, 3 + (i % 3)).join('')));
    assert.equal(provider.stats().models.find((m) => m.name === 'hello')!.loads, loadsBefore);
  });

  test('aborting a stream stops generation and frees the sequence', async () => {
    const ac = new AbortController();
    const stream = await provider.stream(call('loop', chatRequest(user('go'), { max_tokens: 100000 }), ac.signal));
    let seen = 0;
    for await (const p of stream) {
      if (p.type === 'text' && ++seen === 3) ac.abort();
    }
    const afterAbort = provider.stats().generatedTokens;
    // the model's only sequence is free again: a new request is served, and nothing else ran meanwhile
    const res = await provider.complete(call('loop', chatRequest(user('again'), { max_tokens: 2 })));
    assert.equal(res.choices[0].content, loopText(LOOP_PIECES, 2));
    assert.equal(provider.stats().generatedTokens, afterAbort + 2);
    assert.ok(afterAbort < 100, `generation stopped early (${afterAbort} tokens sampled in total)`);
  });

  test('a request queued behind a busy sequence can be aborted', async () => {
    const first = new AbortController();
    const busy = await provider.stream(call('loop', chatRequest(user('go'), { max_tokens: 100000 }), first.signal));
    const it = busy[Symbol.asyncIterator]();
    await it.next(); // start part: the only sequence is now held
    const queued = new AbortController();
    const waiting = provider.stream(call('loop', chatRequest(user('wait')), queued.signal));
    queued.abort();
    await assert.rejects(waiting, (e: unknown) => e instanceof GatewayError);
    first.abort();
    while (!(await it.next()).done) { /* drain */ }
  });

  test('a model unloads after its idle time and reloads on the next request', async () => {
    const idle = () => provider.stats().models.find((m) => m.name === 'idle')!;
    await provider.complete(call('idle', chatRequest(user('hi'))));
    assert.deepEqual([idle().loaded, idle().loads], [true, 1]);
    assert.deepEqual(pendingTimers.map((t) => t.ms), [60_000]);
    pendingTimers.shift()!.fn(); // the idle period passes
    await provider.unload('idle'); // resolves once any unload in flight is done
    assert.equal(idle().loaded, false);
    const res = await provider.complete(call('idle', chatRequest(user('hi again'))));
    assert.equal(res.choices[0].content, HELLO);
    assert.deepEqual([idle().loaded, idle().loads], [true, 2]);
  });

  test('a prompt longer than the context is context_length_exceeded, thrown before any part', async () => {
    await assert.rejects(provider.stream(call('idle', chatRequest(user('x'.repeat(2000))))),
      (e: unknown) => e instanceof GatewayError && e.code === 'context_length_exceeded');
    // the sequence was given back
    assert.equal((await provider.complete(call('idle', chatRequest(user('ok'))))).choices[0].content, HELLO);
  });

  test('images are refused as unsupported content', async () => {
    const req = chatRequest([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] }]);
    req.hasImages = true;
    await assert.rejects(provider.complete(call('hello', req)), (e: unknown) => e instanceof GatewayError && e.code === 'unsupported_content');
  });

  test('an unknown model is model_not_found', async () => {
    await assert.rejects(provider.complete(call('nope', chatRequest(user('hi')))), (e: unknown) => e instanceof GatewayError && e.code === 'model_not_found');
  });
});

describe('LocalProvider start-up checks', () => {
  test('a missing model file fails validate() with a message naming the path', async () => {
    const p = new LocalProvider({ id: 'local', models: [{ name: 'ghost', path: '/nonexistent/ghost.gguf' }] });
    await assert.rejects(p.validate(), /local model "ghost": \/nonexistent\/ghost\.gguf: file not found/);
  });

  test('relative model paths are resolved against the config folder', async () => {
    const p = new LocalProvider({ id: 'local', models: [{ name: 'rel', path: 'models/x.gguf' }] }, { baseDir: '/etc/switchyard' });
    await assert.rejects(p.validate(), /local model "rel": \/etc\/switchyard\/models\/x\.gguf: file not found/);
  });

  test('a file that is not GGUF fails validate() clearly', async () => {
    const p = new LocalProvider({ id: 'local', models: [{ name: 'pkg', path: new URL(import.meta.url).pathname }] });
    await assert.rejects(p.validate(), /not a GGUF file/);
  });
});
