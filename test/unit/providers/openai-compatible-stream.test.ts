/**
 * The OpenAI-compatible provider's stream reader against a server that cuts its bytes anywhere,
 * multi-byte characters included: the text that comes out is the text that went in, whether a
 * chunk is forwarded as it is (plain content) or parsed.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenAICompatibleProvider } from '../../../src/providers/openai-compatible.js';
import type { StreamPart } from '../../../src/core/types.js';
import { providerCall } from '../../helpers/provider-call.js';

const TEXT = 'Grüße aus Zürich — 3 € pro 🚀, naïve café; 日本語のテキスト. ok';

let step = 1;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', async () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const events: string[] = [];
    const head = { id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm' };
    events.push(`data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`);
    // Plain content chunks (forwarded as they are), with one reasoning chunk between (parsed).
    for (let i = 0; i < TEXT.length; i += 5) {
      events.push(`data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: TEXT.slice(i, i + 5) }, finish_reason: null }] })}\n\n`);
      if (i === 20) events.push(`data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { reasoning_content: 'überlegt' }, finish_reason: null }] })}\n\n`);
    }
    events.push(`data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
    events.push(`data: ${JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12 } })}\n\ndata: [DONE]\n\n`);
    const bytes = Buffer.from(events.join(''));
    // Separate writes with a pause between them arrive as separate reads.
    for (let i = 0; i < bytes.length; i += step) {
      res.write(bytes.subarray(i, i + step));
      if ((i / step) % 8 === 7) await new Promise((r) => setTimeout(r, 1));
    }
    res.end();
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
const provider = new OpenAICompatibleProvider({ id: 'up', baseUrl: base });
after(async () => { await provider.close(); server.close(); });

for (const s of [1, 2, 3, 5, 7, 13, 64]) {
  test(`bytes cut every ${s}: content, reasoning, finish and usage come through intact`, async () => {
    step = s;
    const parts: StreamPart[] = [];
    for await (const p of await provider.stream(providerCall('m', true))) parts.push(p);
    let text = '';
    let reasoning = '';
    for (const p of parts) {
      if (p.type === 'text') text += p.text;
      if (p.type === 'reasoning') reasoning += p.text;
      if (p.type === 'raw-chunks') {
        for (const c of p.chunks) text += (JSON.parse(`{${c}`) as { choices: Array<{ delta: { content: string } }> }).choices[0].delta.content;
      }
    }
    assert.equal(text, TEXT);
    assert.equal(reasoning, 'überlegt');
    assert.ok(parts.some((p) => p.type === 'finish'), 'finish part');
    const usage = parts.find((p) => p.type === 'usage');
    assert.ok(usage && usage.type === 'usage' && usage.usage.outputTokens === 9, 'usage part');
    assert.ok(!parts.some((p) => p.type === 'error'), JSON.stringify(parts.find((p) => p.type === 'error')));
  });
}
