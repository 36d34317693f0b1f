/**
 * Edits the YAML config file on behalf of `switchyard pull`: adds (or repoints) one model of the `local`
 * provider, keeping the user's comments and layout. Creates the file, the providers list and the local
 * provider when they are missing.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Document, isMap, isSeq, parseDocument, YAMLMap, YAMLSeq } from 'yaml';

export interface LocalModelEntry {
  name: string;
  /** Path of the GGUF file, as it should appear in the config. */
  file: string;
}

/** Returns 'added' or 'updated' (a model of that name existed and now points at `file`). */
export function addLocalModelToConfig(path: string, entry: LocalModelEntry, providerId = 'local'): 'added' | 'updated' {
  const doc = existsSync(path) ? parseDocument(readFileSync(path, 'utf8')) : new Document({});
  if (doc.errors.length) throw new Error(`${path}: not valid YAML: ${doc.errors[0].message}`);
  if (!isMap(doc.contents)) {
    if (doc.contents !== null && doc.contents !== undefined && !(doc.contents instanceof YAMLMap)) {
      throw new Error(`${path}: the top level must be a mapping`);
    }
    doc.contents = new YAMLMap();
  }
  let providers = doc.get('providers');
  if (!isSeq(providers)) {
    if (providers !== undefined && providers !== null) throw new Error(`${path}: \`providers\` must be a list`);
    providers = new YAMLSeq();
    doc.set('providers', providers);
  }
  const seq = providers as YAMLSeq;
  let provider = seq.items.find((p): p is YAMLMap => isMap(p) && p.get('id') === providerId);
  if (!provider) {
    provider = doc.createNode({ id: providerId, type: 'local', models: [] }) as YAMLMap;
    seq.items.push(provider);
  } else if (provider.get('type') !== undefined && provider.get('type') !== 'local') {
    throw new Error(`${path}: provider "${providerId}" exists with type ${String(provider.get('type'))}, not local`);
  }
  let models = provider.get('models');
  if (!isSeq(models)) {
    models = new YAMLSeq();
    provider.set('models', models);
  }
  const existing = (models as YAMLSeq).items.find((m): m is YAMLMap => isMap(m) && m.get('name') === entry.name);
  let result: 'added' | 'updated';
  if (existing) {
    existing.set('path', entry.file);
    result = 'updated';
  } else {
    (models as YAMLSeq).items.push(doc.createNode({ name: entry.name, path: entry.file }));
    result = 'added';
  }
  mkdirSync(dirname(path), { recursive: true });
  // write-then-rename: a crash never leaves a half-written config behind
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, doc.toString());
  renameSync(tmp, path);
  return result;
}
