/**
 * undici's connection pool without the rest of undici. Importing the package index also loads
 * fetch, WebSocket, caching and mock agents (≈19 MB of RSS); the pool plus the request API is
 * ≈10 MB, and the gateway's hot path needs nothing else. The index attaches the API methods
 * (`request`, `stream`, …) to Dispatcher.prototype; this does the same, once.
 */
import { createRequire } from 'node:module';
import type { Pool as UndiciPool } from 'undici';

const require = createRequire(import.meta.url);
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js') as { prototype: Record<string, unknown> };
const api = require('undici/lib/api/index.js') as Record<string, unknown>;
if (typeof Dispatcher.prototype.request !== 'function') Object.assign(Dispatcher.prototype, api);

export const Pool = require('undici/lib/dispatcher/pool.js') as typeof UndiciPool;
export type Pool = UndiciPool;
