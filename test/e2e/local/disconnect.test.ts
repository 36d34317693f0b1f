/**
 * Issue 8 end to end: a client that goes away mid-stream stops the embedded generation and frees its
 * context sequence (the model has one, so the next request would wait forever otherwise), and the
 * request is logged as a disconnect. The tiny model writes `laΩlaΩ…` until its 4096-token context is
 * full (Ω is two bytes): seconds, so the client is sure to leave first.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { loopText } from '../../helpers/gguf.js';
import { LOOP_PIECES } from '../../helpers/local-models.js';
import { startLocalStack, type LocalStack } from './local-stack.js';

describe('embedded model: client disconnects', () => {
  let s: LocalStack;
  before(async () => {
    s = await startLocalStack('loop', { arch: 'llama', script: { after: '\n', pieces: LOOP_PIECES, loop: true } }, { sequences: 1, contextSize: 4096 });
  });
  after(async () => { await s?.stop(); });

  const messages = [{ role: 'user' as const, content: 'Go on forever.' }];

  test('an endless stream aborted by the client frees the only sequence for the next request', { timeout: 30_000 }, async () => {
    const stream = await s.client.chat.completions.create({ model: 'loop', messages, stream: true });
    let text = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (text.length >= 6) break; // leaving the loop aborts the HTTP request
    }
    assert.ok(text.startsWith('laΩla'), text);
    // With one sequence, this only completes if the aborted generation let go of it.
    const r = await s.client.chat.completions.create({ model: 'loop', messages, max_tokens: 5 });
    assert.equal(r.choices[0].message.content, loopText(LOOP_PIECES, 5));
    assert.equal(r.choices[0].finish_reason, 'length');
  });

  test('the aborted request is in the request log as client_disconnected', async () => {
    assert.equal(await s.stopGateway(), 0);
    const db = new Database(s.dbPath, { readonly: true });
    try {
      const rows = db.prepare('SELECT stream, status, error_code, provider FROM request_log ORDER BY ts').all() as Array<Record<string, unknown>>;
      assert.deepEqual(rows.map((r) => [r.stream, r.error_code, r.provider]), [[1, 'client_disconnected', 'local'], [0, null, 'local']]);
    } finally {
      db.close();
    }
  });
});
