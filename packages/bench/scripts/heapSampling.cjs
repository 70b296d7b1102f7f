// Allocation sampling of cluster node n1 (where its garbage comes from), for
// the bench's cluster section. Load it into every process of a bench run:
//
//   HEAP_OUT=/tmp/n1.heapprofile HEAP_START_S=12 HEAP_STOP_S=35 \
//     NODE_OPTIONS="--require $PWD/packages/bench/scripts/heapSampling.cjs" \
//     node packages/bench/dist/main.js --only cluster --workloads A --rounds 1 --seconds 30 --records 2000
//
// It acts only in the process started with `--node-id n1 ... --coordinator`
// (the others load it and do nothing). From HEAP_START_S to HEAP_STOP_S
// seconds after that node started, V8's sampling heap profiler records every
// 8 KiB allocated, including objects already collected again (unlike
// `node --heap-prof`, which keeps only what is still alive at exit: useless
// for GC churn); the profile (Chrome DevTools .heapprofile JSON) is written to
// HEAP_OUT. Not part of any measured run: sampling costs the node some CPU.
'use strict';
const i = process.argv.indexOf('--node-id');
if (i > 0 && process.argv[i + 1] === 'n1' && process.argv.includes('--coordinator')) {
  const { Session } = require('node:inspector');
  const { writeFileSync } = require('node:fs');
  const out = process.env.HEAP_OUT || 'n1.heapprofile';
  const startMs = Number(process.env.HEAP_START_S || 12) * 1000;
  const stopMs = Number(process.env.HEAP_STOP_S || 35) * 1000;
  const session = new Session();
  session.connect();
  const sampling = { samplingInterval: 8192, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
  setTimeout(() => {
    session.post('HeapProfiler.startSampling', sampling, (err) => {
      if (err) process.stderr.write(`heapSampling: ${err.message}\n`);
    });
    setTimeout(() => {
      session.post('HeapProfiler.stopSampling', (err, r) => {
        if (err) process.stderr.write(`heapSampling: ${err.message}\n`);
        else writeFileSync(out, JSON.stringify(r.profile));
      });
    }, stopMs - startMs).unref();
  }, startMs).unref();
}
