import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore } from '../../../src/store/create-store.js';
import { storeConformance } from './conformance.js';

storeConformance('sqlite', async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-store-'));
  const store = await createStore({ sqlitePath: join(dir, 'switchyard.db'), now: clock.now });
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
