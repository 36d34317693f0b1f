#!/usr/bin/env -S node --min-semi-space-size=8 --max-semi-space-size=8
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm start` and `npm test`).
//
// --min-semi-space-size=8 (also in package.json's `start`): V8 shrinks its young generation to
// 1 MB semi-spaces at the first collection after any idle spell (it sees a low allocation rate)
// and regrows it only as objects survive, which a gateway's short-lived request objects rarely
// do. After a lull, a gateway at 1,000 req/s then ran 10-25 young collections a second (~1 ms
// each, every one a stall for the requests in flight) for several seconds. The floor keeps it at
// 2 x 8 MB, the size start-up reaches anyway. V8 reads it only at start, hence here.
//
// --max-semi-space-size=8: and no larger. Under sustained load V8 doubles the semi-spaces to
// 16 MB, and both are touched: 16 MB more resident memory for good, which was the difference
// between 146–178 MB and 126–133 MB with 1,000 streams open (fresh process) and 150–155 MB
// after the benchmark's load phases. A young collection of an 8 MB semi-space is shorter
// (median 0.9–1.0 ms against 1.3–1.4 ms at 1,000 req/s here), so the stalls are more frequent but
// shorter (see docs/benchmarks.md, third pass).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv.slice(2))).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('switchyard: not built yet; run `npm run build` (or `npm start`) first');
  } else {
    console.error(err);
  }
  process.exit(1);
});
