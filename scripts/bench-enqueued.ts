/**
 * Enqueued trials on a model-based study: the time per trial whose every parameter is given
 * (Study.enqueueTrial), against the time per trial the sampler proposes, in the same run. The
 * sampler should not fit its model for a point it does not choose (src/space-constraints.ts,
 * sampleRelativeOf); before that rule a GP study took 5.6 minutes for 1,000 enqueued trials.
 *
 *   npx tsx scripts/bench-enqueued.ts [enqueued=1000] [sampled=50]
 *
 * Space: six floats in [0, 1]; objective: the sum of squares (cheap, so that the time is the
 * sampler's). The study first runs 100 GP trials so that the model has data to fit.
 */
import { createStudy } from '../src/study.js';
import type { Trial } from '../src/trial.js';
import { GPSampler } from '../samplers/gp/index.js';
import { TPESampler } from '../samplers/tpe/index.js';
import type { Sampler } from '../src/sampler.js';

const enqueued = Number(process.argv[2] ?? 1000);
const sampled = Number(process.argv[3] ?? 50);
const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
const objective = (t: Trial) => NAMES.reduce((sum, n) => sum + (t.suggestFloat(n, 0, 1) - 0.3) ** 2, 0);

async function measure(label: string, sampler: Sampler): Promise<void> {
  const study = createStudy({ sampler });
  await study.optimize(objective, { nTrials: 100 });
  for (let i = 0; i < enqueued; i++) study.enqueueTrial(Object.fromEntries(NAMES.map((n, k) => [n, ((i * (k + 3)) % 97) / 97])));
  let t0 = performance.now();
  await study.optimize(objective, { nTrials: enqueued });
  const enqueuedMs = (performance.now() - t0) / enqueued;
  t0 = performance.now();
  await study.optimize(objective, { nTrials: sampled });
  const sampledMs = (performance.now() - t0) / sampled;
  console.log(`| ${label} | ${enqueued} | ${enqueuedMs.toFixed(2)} | ${((enqueuedMs * enqueued) / 1000).toFixed(1)} | ${sampledMs.toFixed(1)} |`);
}

console.log('| sampler | enqueued trials | ms per enqueued trial | s for all of them | ms per sampled trial (next ' + sampled + ') |');
console.log('|---|---|---|---|---|');
await measure('gp', new GPSampler({ seed: 1 }));
await measure('tpe (multivariate)', new TPESampler({ seed: 1, multivariate: true }));
