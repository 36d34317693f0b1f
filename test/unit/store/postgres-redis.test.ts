import { createStore } from '../../../src/store/create-store.js';
import {
  probePostgres, probeRedis, skipUnlessReachable, testPgUrl, testRedisUrl, throwawayDatabase, throwawayRedisPrefix,
} from '../../helpers/services.js';
import { storeConformance } from './conformance.js';

const skip = skipUnlessReachable('postgres', testPgUrl, await probePostgres())
  || skipUnlessReachable('redis', testRedisUrl, await probeRedis());

storeConformance('postgres+redis', async (clock) => {
  const db = await throwawayDatabase();
  const ns = throwawayRedisPrefix();
  const store = await createStore({ postgresUrl: db.url, redisUrl: testRedisUrl, redisPrefix: ns.prefix, now: clock.now });
  return {
    store,
    async cleanup() {
      await store.close();
      await Promise.all([db.drop(), ns.cleanup()]);
    },
  };
}, { skip });
