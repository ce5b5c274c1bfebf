/**
 * The report of a big study (src/apps/report/trial-sample.ts, the dashboard's /study/report):
 * above the trial cap its charts come from the best trials (or the Pareto front) and a uniform
 * sample of the rest, and say so with the right counts; the history's best line is the whole
 * study's; under the cap the page is the report `studyopt report` writes. The cap is lowered so
 * that the studies stay small.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dashboard, startDashboard } from '../../src/apps/dashboard/server.js';
import { renderStudyReport } from '../../src/apps/report/report.js';
import { sampleTrials } from '../../src/apps/report/trial-sample.js';
import { isFeasible } from '../../src/frozen-trial.js';
import { paretoFront } from '../../src/pareto.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { bestTrials } from '../../src/storage/trial-statistics.js';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import { tempFolder } from './fixtures.js';

const SINGLE = 'single';
const MULTI = 'two objectives';
const N = 150;
const CAP = 40;

/** A minimizing study with constraints (every trial with x > 2 infeasible) and a two-objective one, `N` trials each. */
async function bigStudies(path: string): Promise<void> {
  const storage = new SqliteStorage(path);
  try {
    const single = createStudy({
      storage,
      studyName: SINGLE,
      direction: 'minimize',
      sampler: new RandomSampler({ seed: 3 }),
      constraints: (t) => [(t.params.x as number) - 2],
    });
    await single.optimize((t) => (t.suggestFloat('x', -3, 3) - 1) ** 2 + t.suggestFloat('y', -1, 1) ** 2 + t.suggestInt('n', 0, 9) / 10, { nTrials: N });
    const multi = createStudy({ storage, studyName: MULTI, directions: ['minimize', 'maximize'], sampler: new RandomSampler({ seed: 4 }) });
    await multi.optimize(
      (t) => {
        const a = t.suggestFloat('a', 0, 1);
        const b = t.suggestFloat('b', 0, 1);
        return [a * a + b, Math.sqrt(a) - b * b];
      },
      { nTrials: N },
    );
  } finally {
    storage.close();
  }
}

/** The chart specs of a report page. */
function chartsOf(html: string): Record<string, unknown>[] {
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1];
  return (JSON.parse(json) as { charts: Record<string, unknown>[] }).charts;
}

/** The history chart's layers: its dots and its best line. */
function historyLayers(html: string): { dots: { trial: number; value: number }[]; line: { trial: number; best: number }[] } {
  const spec = chartsOf(html)[0] as { layer: { data: { values: unknown[] } }[] };
  return { dots: spec.layer[0].data.values as { trial: number; value: number }[], line: spec.layer[1].data.values as { trial: number; best: number }[] };
}

describe('the report of a study above the trial cap', () => {
  let folder: ReturnType<typeof tempFolder>;
  let path: string;
  let dashboard: Dashboard;
  let url: string;

  beforeAll(async () => {
    folder = tempFolder();
    path = join(folder.dir, 'big.db');
    await bigStudies(path);
    // Built in the server's process here (the sources under test); the last test builds in the child.
    dashboard = await startDashboard({ storage: path, port: 0, reportTrials: CAP, reportInChild: false });
    url = dashboard.url.replace(/\/$/, '');
  }, 120_000);

  afterAll(async () => {
    await dashboard?.close();
    folder?.cleanup();
  });

  it('draws its charts from the best trials and a uniform sample, and labels them', async () => {
    const res = await fetch(`${url}/study/report?name=${encodeURIComponent(SINGLE)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const label = `from ${CAP} of ${N} complete trials: the ${CAP / 2} best and a uniform sample of the rest`;
    // The history, importances, slices, contours and parallel coordinates each say what they show.
    for (const title of ['Optimization history', 'Parameter importances', 'Slice plots', 'Contour plots', 'Parallel coordinates']) {
      const section = html.slice(html.indexOf(`<h2>${title}</h2>`));
      expect(section.slice(0, section.indexOf('</section>'))).toContain(label);
    }
    const { dots, line } = historyLayers(html);
    expect(dots).toHaveLength(CAP);
    // The best line follows every trial, not the sample: its steps are the whole study's improvements.
    const reader = new SqliteStorage(path, { readonly: true });
    try {
      const id = reader.findStudyId(SINGLE)!;
      const all = reader.getAllTrials(id, ['COMPLETE']);
      const steps: { trial: number; best: number }[] = [];
      for (const t of all) if (isFeasible(t) && (steps.length === 0 || t.values![0] < steps[steps.length - 1].best)) steps.push({ trial: t.number, best: t.values![0] });
      steps.push({ trial: all[all.length - 1].number, best: steps[steps.length - 1].best });
      expect(line).toEqual(steps);
      // The best 20 feasible trials are all among the dots; the best one is the study's best.
      const best = bestTrials(reader, id, 200).filter(isFeasible).slice(0, CAP / 2);
      const shown = new Set(dots.map((d) => d.trial));
      for (const t of best) expect(shown.has(t.number)).toBe(true);
      expect(html).toContain(`#${reader.getBestTrial(id)!.number}`);
    } finally {
      reader.close();
    }
    // The summary counts every trial, not the sample.
    expect(html).toContain(`${N} complete`);
  });

  it('keeps the whole Pareto front of a study with two objectives', async () => {
    const html = await (await fetch(`${url}/study/report?name=${encodeURIComponent(MULTI)}`)).text();
    const reader = new SqliteStorage(path, { readonly: true });
    try {
      const id = reader.findStudyId(MULTI)!;
      const front = paretoFront(reader.getAllTrials(id, ['COMPLETE']), ['minimize', 'maximize']);
      expect(html).toContain(`from ${CAP} of ${N} complete trials: the Pareto front (${front.length} trials) and a uniform sample of the rest`);
      const sample = sampleTrials(reader, id, { maxTrials: CAP });
      const numbers = new Set(sample.complete.map((t) => t.number));
      for (const t of front) expect(numbers.has(t.number)).toBe(true);
      expect(sample.nBest).toBe(front.length);
      expect(sample.complete).toHaveLength(CAP);
    } finally {
      reader.close();
    }
  });

  it('draws the same sample each time, uniform over the rest', () => {
    const reader = new SqliteStorage(path, { readonly: true });
    try {
      const id = reader.findStudyId(SINGLE)!;
      const a = sampleTrials(reader, id, { maxTrials: CAP, seed: 1 });
      const b = sampleTrials(reader, id, { maxTrials: CAP, seed: 1 });
      expect(a.complete.map((t) => t.number)).toEqual(b.complete.map((t) => t.number));
      // Over many seeds every non-best trial is drawn about equally often: (CAP - best) / (N - best) each.
      const best = new Set(bestTrials(reader, id, 200).filter(isFeasible).slice(0, CAP / 2).map((t) => t.number));
      const hits = new Map<number, number>();
      const seeds = 200;
      for (let seed = 0; seed < seeds; seed++) for (const t of sampleTrials(reader, id, { maxTrials: CAP, seed }).complete) if (!best.has(t.number)) hits.set(t.number, (hits.get(t.number) ?? 0) + 1);
      const expected = (seeds * (CAP - best.size)) / (N - best.size);
      const counts = [...hits.values()];
      expect(hits.size).toBe(N - best.size);
      const mean = counts.reduce((x, y) => x + y, 0) / counts.length;
      expect(mean).toBeCloseTo(expected, 6);
      // Binomial(200, 0.154): sd about 5.1; no trial strays 4.5 sd from the expectation.
      for (const c of counts) expect(Math.abs(c - expected)).toBeLessThan(23);
      // The sampled trials come without their user attributes; the best keep theirs.
      expect(a.complete.every((t) => best.has(t.number) || Object.keys(t.userAttrs).length === 0)).toBe(true);
    } finally {
      reader.close();
    }
  });

  it('is the report `studyopt report` writes when the study is under the cap', async () => {
    const under = await startDashboard({ storage: path, port: 0, reportTrials: N + 10, reportInChild: false });
    try {
      const html = await (await fetch(`${under.url.replace(/\/$/, '')}/study/report?name=${encodeURIComponent(SINGLE)}`)).text();
      const reader = new SqliteStorage(path, { readonly: true });
      try {
        const direct = renderStudyReport({ storage: reader, studyId: reader.findStudyId(SINGLE)! });
        const stamp = (s: string) => s.replace(/generated [0-9: -]+ UTC/, 'generated (time) UTC');
        expect(stamp(html)).toBe(stamp(direct));
        expect(html).not.toContain('uniform sample');
      } finally {
        reader.close();
      }
    } finally {
      await under.close();
    }
  });

  it('builds the same page in a child process (the built dist/: npm run build), and keeps it while the study is unchanged', async () => {
    const inChild = await startDashboard({ storage: path, port: 0, reportTrials: CAP, reportInChild: true });
    try {
      const page = `${inChild.url.replace(/\/$/, '')}/study/report?name=${encodeURIComponent(SINGLE)}`;
      const first = await (await fetch(page)).text();
      const here = await (await fetch(`${url}/study/report?name=${encodeURIComponent(SINGLE)}`)).text();
      const stamp = (s: string) => s.replace(/generated [0-9: -]+ UTC/, 'generated (time) UTC');
      expect(stamp(first)).toBe(stamp(here));
      // Unchanged study: the kept page, generated at the same second.
      expect(await (await fetch(page)).text()).toBe(first);
      const missing = await fetch(`${inChild.url.replace(/\/$/, '')}/study/report?name=nope`);
      expect(missing.status).toBe(404);
    } finally {
      await inChild.close();
    }
  });

  it('refuses a cap it cannot keep, naming the option', async () => {
    await expect(startDashboard({ storage: path, port: 0, reportTrials: 3 })).rejects.toThrow(/--report-trials 3/);
  });
});
