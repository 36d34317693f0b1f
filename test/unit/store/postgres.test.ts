import { createStore } from '../../../src/store/create-store.js';
import { probePostgres, skipUnlessReachable, testPgUrl, throwawayDatabase } from '../../helpers/services.js';
import { storeConformance } from './conformance.js';

const skip = skipUnlessReachable('postgres', testPgUrl, await probePostgres());

storeConformance('postgres', async (clock) => {
  const db = await throwawayDatabase();
  const store = await createStore({ postgresUrl: db.url, now: clock.now });
  return {
    store,
    async cleanup() {
      await store.close();
      await db.drop();
    },
  };
}, { skip });
