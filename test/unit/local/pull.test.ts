import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { parse } from 'yaml';
import { run } from '../../../src/cli/pull.js';
import { addLocalModelToConfig } from '../../../src/local/config-file.js';

const FILE = randomBytes(300_000); // several chunks, so an interruption lands mid-file
const SHA = createHash('sha256').update(FILE).digest('hex');

interface Seen { url: string; range?: string }

function io() {
  const stdout = new PassThrough(); const stderr = new PassThrough();
  let out = ''; let err = '';
  stdout.on('data', (c: Buffer) => { out += c; });
  stderr.on('data', (c: Buffer) => { err += c; });
  return { io: { stdin: new PassThrough(), stdout, stderr }, out: () => out, err: () => err };
}

describe('switchyard pull', () => {
  let server: Server;
  let base: string;
  let seen: Seen[] = [];
  let cutNext = false; // the next file response stops half-way, as a dropped connection would
  let hubSha = SHA;
  let dir: string;

  const serveFile = (req: IncomingMessage, res: ServerResponse): void => {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const body = FILE.subarray(start);
    res.writeHead(m ? 206 : 200, {
      'content-length': String(body.length),
      ...(m ? { 'content-range': `bytes ${start}-${FILE.length - 1}/${FILE.length}` } : {}),
    });
    if (cutNext) {
      cutNext = false;
      res.write(body.subarray(0, 100_000), () => res.destroy());
      return;
    }
    res.end(body);
  };

  before(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', range: req.headers.range });
      if (req.url?.startsWith('/api/models/acme/tiny')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ id: 'acme/tiny', siblings: [
          { rfilename: 'README.md' },
          { rfilename: 'tiny-Q8_0.gguf', lfs: { sha256: hubSha, size: FILE.length } },
        ] }));
      } else if (req.url === '/files/tiny.gguf' || req.url === '/acme/tiny/resolve/main/tiny-Q8_0.gguf') {
        serveFile(req, res);
      } else {
        res.statusCode = 404; res.end('not found');
      }
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => { server.close(); });
  beforeEach(() => {
    seen = []; cutNext = false; hubSha = SHA;
    dir = mkdtempSync(join(tmpdir(), 'switchyard-pull-'));
  });

  const env = () => ({ SWITCHYARD_HF_ENDPOINT: base });

  test('downloads a URL, shows progress and adds the model to a new config', async () => {
    const t = io();
    const config = join(dir, 'switchyard.yaml');
    const code = await run([`${base}/files/tiny.gguf`, '--config', config, '--sha256', SHA], t.io, { env: env(), cwd: dir });
    assert.equal(code, 0, t.err());
    assert.deepEqual(readFileSync(join(dir, 'models', 'tiny.gguf')), FILE);
    assert.match(t.err(), /tiny\.gguf \[#+\] 100%/);
    assert.deepEqual(parse(readFileSync(config, 'utf8')), {
      providers: [{ id: 'local', type: 'local', models: [{ name: 'tiny', path: join('models', 'tiny.gguf') }] }],
    });
    rmSync(dir, { recursive: true });
  });

  test('an interrupted download resumes where it stopped', async () => {
    const config = join(dir, 'c.yaml');
    cutNext = true;
    const first = io();
    assert.equal(await run([`${base}/files/tiny.gguf`, '--config', config, '--dir', join(dir, 'm')], first.io, { env: env() }), 1);
    assert.match(first.err(), /interrupted after \d+ bytes; run the command again to resume/);
    const part = join(dir, 'm', 'tiny.gguf.part');
    const partial = statSync(part).size;
    assert.ok(partial > 0 && partial < FILE.length, `partial file of ${partial} bytes kept`);
    assert.equal(existsSync(config), false, 'no config entry for a file that is not complete');

    const second = io();
    assert.equal(await run([`${base}/files/tiny.gguf`, '--config', config, '--dir', join(dir, 'm'), '--sha256', SHA], second.io, { env: env() }), 0, second.err());
    assert.equal(seen.at(-1)?.range, `bytes=${partial}-`);
    assert.match(second.out(), /resumed/);
    assert.deepEqual(readFileSync(join(dir, 'm', 'tiny.gguf')), FILE);
    assert.equal(existsSync(part), false);
    rmSync(dir, { recursive: true });
  });

  test('a checksum mismatch fails clearly and keeps nothing', async () => {
    const t = io();
    const config = join(dir, 'c.yaml');
    const wrong = 'ab'.repeat(32);
    assert.equal(await run([`${base}/files/tiny.gguf`, '--config', config, '--sha256', wrong], t.io, { env: env() }), 1);
    assert.match(t.err(), new RegExp(`SHA-256 mismatch: expected ${wrong}, got ${SHA}`));
    assert.equal(existsSync(join(dir, 'models', 'tiny.gguf')), false);
    assert.equal(existsSync(join(dir, 'models', 'tiny.gguf.part')), false);
    assert.equal(existsSync(config), false);
    rmSync(dir, { recursive: true });
  });

  test('a Hugging Face repo is resolved through the Hub API and verified with its LFS checksum', async () => {
    const t = io();
    const config = join(dir, 'c.yaml');
    assert.equal(await run(['acme/tiny', '--config', config, '--name', 'tiny-llm'], t.io, { env: env() }), 0, t.err());
    assert.equal(seen[0].url, '/api/models/acme/tiny?blobs=true');
    assert.match(t.out(), /sha256 verified/);
    const cfg = parse(readFileSync(config, 'utf8')) as { providers: Array<{ models: unknown[] }> };
    assert.deepEqual(cfg.providers[0].models, [{ name: 'tiny-llm', path: join('models', 'tiny-Q8_0.gguf') }]);

    hubSha = '00'.repeat(32);
    const bad = io();
    assert.equal(await run(['acme/tiny:Q8_0', '--config', config, '--dir', join(dir, 'other')], bad.io, { env: env() }), 1);
    assert.match(bad.err(), /SHA-256 mismatch/);
    rmSync(dir, { recursive: true });
  });

  test('an unknown repo and bad arguments are clear errors', async () => {
    const t = io();
    assert.equal(await run(['acme/missing', '--config', join(dir, 'c.yaml')], t.io, { env: env() }), 1);
    assert.match(t.err(), /acme\/missing not found/);
    const u = io();
    assert.equal(await run([], u.io, { env: env() }), 2);
    assert.match(u.err(), /usage: switchyard pull/);
    rmSync(dir, { recursive: true });
  });
});

describe('addLocalModelToConfig', () => {
  test('keeps comments and other providers, and repoints an existing model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cfg-'));
    const path = join(dir, 'switchyard.yaml');
    writeFileSync(path, [
      '# my gateway',
      'providers:',
      '  - id: groq # fast',
      '    type: openai-compatible',
      '  - id: local',
      '    type: local',
      '    models:',
      '      - name: old',
      '        path: /models/old.gguf',
      '        threads: 4',
      '',
    ].join('\n'));
    assert.equal(addLocalModelToConfig(path, { name: 'new', file: '/models/new.gguf' }), 'added');
    assert.equal(addLocalModelToConfig(path, { name: 'old', file: '/models/old-v2.gguf' }), 'updated');
    const text = readFileSync(path, 'utf8');
    assert.match(text, /# my gateway/);
    assert.match(text, /# fast/);
    assert.deepEqual((parse(text) as { providers: unknown[] }).providers[1], {
      id: 'local', type: 'local', models: [
        { name: 'old', path: '/models/old-v2.gguf', threads: 4 },
        { name: 'new', path: '/models/new.gguf' },
      ],
    });
    rmSync(dir, { recursive: true });
  });
});
