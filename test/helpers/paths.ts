/** Paths tests need, valid both from source and from the compiled dist/ tree. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`repo root not found above ${start}`);
    dir = parent;
  }
}

export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
/** The read-only shared data folder (`../shared` beside the repo), or SWITCHYARD_SHARED. */
export const sharedDir = resolve(process.env.SWITCHYARD_SHARED ?? join(repoRoot, '..', 'shared'));
export const hasShared = existsSync(sharedDir);
/** The compiled CLI entry point, for tests that start real processes. */
export const cliPath = join(repoRoot, 'bin', 'switchyard.js');
