/**
 * A crash loses no acknowledged usage record: with the periodic flush pushed out of reach, the
 * record of an answered request still reaches SQLite when the process dies of an uncaught
 * exception.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI from 'openai';
import { stringify } from 'yaml';
import { repoRoot } from '../../helpers/paths.js';
import { startSim, tempDir, type Proc } from '../../helpers/procs.js';

let sim: Proc | undefined;
after(async () => { await sim?.stop(); });

test('an uncaught exception flushes queued usage records before the process exits', async () => {
  sim = await startSim();
  const dir = tempDir();
  const cfg = join(dir, 'switchyard.yaml');
  const db = join(dir, 'switchyard.db');
  writeFileSync(cfg, stringify({
    storage: { flush_interval_ms: 600_000 }, // only the crash handler can write the record
    providers: [{ id: 's', type: 'openai-compatible', base_url: sim.url }],
    models: [{ name: 'm', deployments: [{ provider: 's', model: 'm' }] }],
  }));
  const child = spawn(process.execPath, [join(repoRoot, 'dist/test/e2e/reliability/crash-fixture.js'), '--config', cfg, '--port', '0', '--db', db], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stderr.on('data', (c: Buffer) => { out += c.toString(); });
  const exited = once(child, 'exit');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+\/v1)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`exited before listening:\n${out}`)));
  });

  const client = new OpenAI({ baseURL: url, apiKey: 'unused', maxRetries: 0 });
  const r = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'remember me' }] });
  assert.equal(r.choices[0].message.content, 'You said: remember me');

  child.stdin.write('crash\n');
  const [code] = await exited;
  assert.equal(code, 70, out);
  assert.match(out, /fatal: Error: simulated bug/);
  const conn = new Database(db, { readonly: true });
  try {
    const rows = conn.prepare('SELECT model, status FROM request_log').all();
    assert.deepEqual(rows, [{ model: 'm', status: 200 }]);
  } finally {
    conn.close();
  }
});
