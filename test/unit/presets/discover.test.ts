import assert from 'node:assert/strict';
import { test } from 'node:test';
import { discoverDefaults } from '../../../src/config/discover.js';
import { applyCatalog, loadCatalog } from '../../../src/config/catalog.js';

test('without a config, keys in the environment become presets and the catalog fills in their models', async () => {
  const found = await discoverDefaults({ GROQ_API_KEY: 'g', MOONSHOT_API_KEY: 'm' }, 50);
  const clouds = found.config.providers.filter((p) => p.locality === 'cloud');
  assert.deepEqual(clouds.map((p) => [p.id, p.type]), [['groq', 'groq'], ['moonshot', 'moonshot']]);
  assert.ok(found.report.some((l) => l.includes('MOONSHOT_API_KEY')));
  const kimi = applyCatalog(found.config, loadCatalog()).models.find((m) => m.name === 'kimi-k2')!;
  assert.deepEqual(kimi.deployments.map((d) => d.provider).filter((p) => p !== 'ollama').sort(), ['groq', 'moonshot']);
});
