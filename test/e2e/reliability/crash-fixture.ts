/**
 * `switchyard serve` in a process that crashes on demand: a line `crash` on stdin throws an
 * uncaught exception from a timer, as a bug in the gateway would. Used by crash.test.ts.
 */
import { createInterface } from 'node:readline';
import { run } from '../../../src/cli/serve.js';
import { processIO } from '../../../src/cli/io.js';

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'crash') setTimeout(() => { throw new Error('simulated bug'); }, 0);
});
process.exitCode = await run(process.argv.slice(2), processIO);
