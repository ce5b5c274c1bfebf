/**
 * The study page's trial table over HTTP (/api/trials): sorted by value and filtered by a
 * parameter range it returns exactly the trials the rule over every trial gives
 * (storage/trial-query.ts), with the total from the study's counts when no range is asked, and a
 * filtered total counted only so far past the page (`totalCapped`).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COUNT_AHEAD } from '../../src/apps/dashboard/api.js';
import { type Dashboard, startDashboard } from '../../src/apps/dashboard/server.js';
import { floatDistribution } from '../../src/distributions.js';
import type { FrozenTrial, TrialState } from '../../src/frozen-trial.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { Rng } from '../../src/rng.js';
import { tempFolder } from './fixtures.js';

const NAME = 'table';
const N = 1400;
const STATES: TrialState[] = ['COMPLETE', 'COMPLETE', 'COMPLETE', 'FAIL', 'COMPLETE', 'PRUNED', 'COMPLETE', 'RUNNING'];
const X = floatDistribution(-5, 5);

interface Row {
  number: number;
  state: string;
  values: number[] | null;
  params: Record<string, number>;
}

describe('the trial table of a study of 1,400 trials', () => {
  let folder: ReturnType<typeof tempFolder>;
  let dashboard: Dashboard;
  let url: string;
  let all: FrozenTrial[];
  let path: string;

  beforeAll(async () => {
    folder = tempFolder();
    path = join(folder.dir, 'table.db');
    const writer = new SqliteStorage(path, { heartbeatInterval: null });
    const id = writer.createStudy(NAME, ['minimize']);
    const rng = new Rng(11);
    for (let i = 0; i < N; i++) {
      const state = STATES[i % STATES.length];
      const x = rng.uniform(-5, 5);
      const y = rng.uniform(-5, 5);
      // Some tied values, to check the order among equals (by number).
      writer.createTrial(id, { state, params: { x: { internal: x, distribution: X }, y: { internal: y, distribution: X } }, values: state === 'COMPLETE' ? [i % 50 === 0 ? 0 : x * x + y] : null });
    }
    all = [...writer.getAllTrials(id)];
    writer.close();
    dashboard = await startDashboard({ storage: path, port: 0, pollMs: 100 });
    url = dashboard.url.replace(/\/$/, '');
  }, 60_000);

  afterAll(async () => {
    await dashboard?.close();
    folder?.cleanup();
  });

  async function page(query: string): Promise<{ total: number; totalCapped: boolean; trials: Row[] }> {
    const res = await fetch(`${url}/api/trials?name=${NAME}${query}`);
    expect(res.status).toBe(200);
    return (await res.json()) as { total: number; totalCapped: boolean; trials: Row[] };
  }

  /** The rule: trials with a value by value (ties by number), then those without, by number. */
  function byValue(trials: readonly FrozenTrial[], descending: boolean): number[] {
    const valued = trials.filter((t) => t.values !== null).sort((a, b) => (a.values![0] === b.values![0] ? a.number - b.number : (descending ? -1 : 1) * (a.values![0] - b.values![0])));
    return [...valued, ...trials.filter((t) => t.values === null)].map((t) => t.number);
  }

  it('sorts by value both ways, trials without a value last, across pages', async () => {
    for (const [order, descending] of [['asc', false], ['desc', true]] as const) {
      const expected = byValue(all, descending);
      const first = await page(`&sort=value&order=${order}&limit=100`);
      expect(first.total).toBe(N);
      expect(first.totalCapped).toBe(false);
      expect(first.trials.map((t) => t.number)).toEqual(expected.slice(0, 100));
      // The page where the trials with a value end and those without begin.
      const nValued = all.filter((t) => t.values !== null).length;
      const across = await page(`&sort=value&order=${order}&limit=40&offset=${nValued - 15}`);
      expect(across.trials.map((t) => t.number)).toEqual(expected.slice(nValued - 15, nValued + 25));
    }
    const complete = await page('&sort=value&state=COMPLETE&limit=5');
    expect(complete.total).toBe(all.filter((t) => t.state === 'COMPLETE').length);
    expect(complete.trials.map((t) => t.number)).toEqual(byValue(all.filter((t) => t.state === 'COMPLETE'), false).slice(0, 5));
  });

  it('filters by a parameter range, counting exactly when few match', async () => {
    const inRange = all.filter((t) => (t.params.x as number) >= 1 && (t.params.x as number) <= 1.5 && (t.params.y as number) <= 0);
    const filtered = await page('&param=x:1:1.5&param=y::0&order=desc&limit=500');
    expect(filtered.totalCapped).toBe(false);
    expect(filtered.total).toBe(inRange.length);
    expect(filtered.trials.map((t) => t.number)).toEqual(inRange.map((t) => t.number).reverse());
    for (const t of filtered.trials) expect(t.params.x >= 1 && t.params.x <= 1.5 && t.params.y <= 0).toBe(true);
    const sorted = await page('&param=x:1:1.5&param=y::0&sort=value&limit=20');
    expect(sorted.trials.map((t) => t.number)).toEqual(byValue(inRange, false).slice(0, 20));
  });

  it('counts a wide filter only so far past the page', async () => {
    const wide = all.filter((t) => (t.params.x as number) >= -4);
    expect(wide.length).toBeGreaterThan(50 + COUNT_AHEAD);
    const first = await page('&param=x:-4:&limit=50');
    expect(first.totalCapped).toBe(true);
    expect(first.total).toBe(50 + COUNT_AHEAD);
    expect(first.trials.map((t) => t.number)).toEqual(wide.slice(0, 50).map((t) => t.number));
    // Further on, the count reaches the end: exact.
    const later = await page(`&param=x:-4:&limit=50&offset=${wide.length - 30}`);
    expect(later.totalCapped).toBe(false);
    expect(later.total).toBe(wide.length);
    expect(later.trials.map((t) => t.number)).toEqual(wide.slice(wide.length - 30).map((t) => t.number));
  });

  it('keeps the first pages in value order while another connection adds and finishes trials', async () => {
    // The first pages (from the kept ranking), both ways.
    for (const order of ['asc', 'desc']) await page(`&sort=value&order=${order}&limit=50`);
    const writer = new SqliteStorage(path, { heartbeatInterval: null });
    try {
      const id = writer.findStudyId(NAME)!;
      const running = all.find((t) => t.state === 'RUNNING')!;
      // A new best, a new worst, one tied with a ranked value, one beyond the ranking, a RUNNING trial finished.
      const tied = all.filter((t) => t.values !== null).sort((a, b) => a.values![0] - b.values![0] || a.number - b.number)[10].values![0];
      for (const v of [-1e9, 1e9, tied, 20]) writer.createTrial(id, { state: 'COMPLETE', params: { x: { internal: 0, distribution: X }, y: { internal: 0, distribution: X } }, values: [v] });
      writer.setTrialStateValues(running.trialId, 'COMPLETE', [-5e8]);
      writer.createTrial(id, { state: 'RUNNING' });
      writer.flush?.();
      all = [...writer.getAllTrials(id)];
    } finally {
      writer.close();
    }
    await new Promise((r) => setTimeout(r, 400)); // the study's watch looks again
    for (const [order, descending] of [['asc', false], ['desc', true]] as const) {
      const expected = byValue(all, descending);
      for (const offset of [0, 50, 950]) {
        const got = await page(`&sort=value&order=${order}&limit=50&offset=${offset}`);
        expect({ order, offset, numbers: got.trials.map((t) => t.number) }).toEqual({ order, offset, numbers: expected.slice(offset, offset + 50) });
        expect(got.total).toBe(all.length);
      }
    }
    const complete = await page('&sort=value&state=COMPLETE&limit=20&offset=3');
    expect(complete.trials.map((t) => t.number)).toEqual(byValue(all.filter((t) => t.state === 'COMPLETE'), false).slice(3, 23));
  });
});
