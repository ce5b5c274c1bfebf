// The report in a real browser: Debian's headless Chromium driven by playwright-core (never a
// downloaded browser). The page must load offline with no console errors and no dialogs (the
// hostile study name must not run), and every chart must render a non-empty SVG. The screenshot
// is kept as a test artifact (test-artifacts/report.png).
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext } from 'playwright-core';
import { CHROMIUM, chromiumPresent, launchChromium, watchedPage } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStudyReport } from '../../src/apps/report/report.js';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import { LONG_PARAMS, evilParamStudy, ibStudy, longNameStudy, tinyBench, walkForwardStudy } from './fixtures.js';

type Point = { x: number; y: number };
type Label = { text: string; role: 'axis' | 'mark'; corners: Point[] };

/** True when two convex quadrilaterals share more than `slack` px (separating axis test). */
function overlaps(a: Point[], b: Point[], slack = 0.5): boolean {
  for (const q of [a, b]) {
    for (let i = 0; i < q.length; i++) {
      const p = q[i];
      const r = q[(i + 1) % q.length];
      const ax = { x: p.y - r.y, y: r.x - p.x };
      const len = Math.hypot(ax.x, ax.y);
      if (len === 0) continue;
      const proj = (poly: Point[]) => poly.map((c) => (c.x * ax.x + c.y * ax.y) / len);
      const [pa, pb] = [proj(a), proj(b)];
      if (Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb)) <= slack) return false;
    }
  }
  return true;
}

/** Pairs of the parallel-coordinates chart's texts (axis names, end values) whose rotated boxes overlap. */
function overlapping(labels: Label[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) if (overlaps(labels[i].corners, labels[j].corners)) out.push(`${labels[i].text} / ${labels[j].text}`);
  }
  return out;
}

const ARTIFACTS = resolve('test-artifacts');
const present = chromiumPresent;

if (!present && process.env.CI) {
  // In CI a missing browser is a failure, never a silent skip.
  describe('report in Chromium', () => {
    it('needs Chromium', () => {
      throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium package (run .ci/install-chromium.sh before npm ci)`);
    });
  });
} else {
  describe.skipIf(!present)(`report in Chromium${present ? '' : ` (skipped: no ${CHROMIUM}; install it with .ci/install-chromium.sh)`}`, () => {
    let context: BrowserContext;
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

    beforeAll(async () => {
      browser = await launchChromium();
      context = browser.context;
      mkdirSync(ARTIFACTS, { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
    });

    async function open(file: string) {
      const { page, errors, dialogs } = await watchedPage(context);
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(file).href);
      await page.waitForSelector('body[data-rendered]', { state: 'attached', timeout: 60_000 });
      // Runs in the page (types kept structural: the suite has no DOM lib).
      type El = { getAttribute(n: string): string | null; querySelector(s: string): El | null; querySelectorAll(s: string): { length: number }; getBoundingClientRect(): { width: number; height: number } };
      const charts = await page.$$eval('.vega-chart', (els) =>
        (els as unknown as El[]).map((el) => {
          const svg = el.querySelector('svg');
          const box = svg?.getBoundingClientRect();
          return { id: el.getAttribute('data-chart'), marks: svg ? svg.querySelectorAll('path, rect, line, circle, text').length : 0, width: box?.width ?? 0, height: box?.height ?? 0 };
        }),
      );
      const rendered = Number(await page.getAttribute('body', 'data-rendered'));
      return { page, errors, dialogs, requests, charts, rendered };
    }

    /**
     * The parallel-coordinates chart's axis names and end-value texts as drawn: each text's box
     * (getBBox) through its transform (the slant) to page coordinates, and the SVG's box.
     */
    async function parallelLabels(page: Awaited<ReturnType<typeof open>>['page']): Promise<{ labels: Label[]; svg: { left: number; top: number; right: number; bottom: number } }> {
      return page.evaluate(`(() => {
        const chart = [...document.querySelectorAll('.chart')].find((c) => c.querySelector('h3')?.textContent === 'Parallel coordinates');
        const svg = chart.querySelector('svg');
        const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent && t.closest('.role-axis-label, .role-mark'));
        const labels = texts.map((t) => {
          const b = t.getBBox();
          const m = t.getScreenCTM();
          const pt = (x, y) => ({ x: m.a * x + m.c * y + m.e, y: m.b * x + m.d * y + m.f });
          return { text: t.textContent, role: t.closest('.role-axis-label') ? 'axis' : 'mark', corners: [pt(b.x, b.y), pt(b.x + b.width, b.y), pt(b.x + b.width, b.y + b.height), pt(b.x, b.y + b.height)] };
        });
        const r = svg.getBoundingClientRect();
        return { labels, svg: { left: r.left, top: r.top, right: r.right, bottom: r.bottom } };
      })()`);
    }

    function expectReadable(labels: Label[], svg: { left: number; top: number; right: number; bottom: number }, names: readonly string[]) {
      expect(labels.filter((l) => l.role === 'axis').map((l) => l.text).sort()).toEqual([...names].sort()); // every name, in full
      expect(labels.filter((l) => l.role === 'mark')).toHaveLength(2 * names.length); // lowest and highest value of each axis
      expect(overlapping(labels)).toEqual([]);
      for (const l of labels) {
        for (const c of l.corners) {
          expect(c.x, l.text).toBeGreaterThanOrEqual(svg.left - 0.5);
          expect(c.x, l.text).toBeLessThanOrEqual(svg.right + 0.5);
          expect(c.y, l.text).toBeGreaterThanOrEqual(svg.top - 0.5);
          expect(c.y, l.text).toBeLessThanOrEqual(svg.bottom + 0.5);
        }
      }
    }

    it('the IB report with bench charts: every chart drawn, no console errors, no injected script; screenshot kept', async () => {
      const study = await ibStudy(120);
      const file = join(ARTIFACTS, 'report.html');
      writeFileSync(file, renderStudyReport({ storage: study.storage, studyId: study.studyId, bench: await tinyBench() }));
      const { page, errors, dialogs, requests, charts, rendered } = await open(file);
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(requests).toEqual([]); // self-contained: nothing fetched
      expect(charts.length).toBeGreaterThanOrEqual(15);
      expect(rendered).toBe(charts.length);
      for (const c of charts) {
        expect(c.marks, `chart ${c.id}`).toBeGreaterThan(3);
        expect(c.width * c.height, `chart ${c.id}`).toBeGreaterThan(0);
      }
      const pc = await parallelLabels(page);
      expect(overlapping(pc.labels)).toEqual([]);
      // The validation panel: each statistic with its sentence, and the CSCV's splits drawn.
      const body = await page.textContent('body');
      for (const statistic of ['deflated Sharpe ratio', 'probabilistic Sharpe ratio', 'probability of backtest overfitting']) expect(body).toContain(statistic);
      expect(body).toMatch(/over 12,870 splits of \d+ days into 16 blocks/);
      expect(charts.map((c) => c.id)).toContain(await page.locator('.chart', { has: page.locator('h3', { hasText: /^The CSCV splits$/ }) }).locator('.vega-chart').getAttribute('data-chart'));
      await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
      expect(existsSync(join(ARTIFACTS, 'report.png'))).toBe(true);
      await page.close();
    }, 120_000);

    it("a walk-forward's report: in- against out-of-sample per window, the stitched equity curve and the windows' picks; screenshot kept", async () => {
      const parent = await walkForwardStudy();
      const file = join(ARTIFACTS, 'report-walk-forward.html');
      writeFileSync(file, renderStudyReport({ storage: parent.storage, studyId: parent.studyId }));
      const { page, errors, dialogs, charts, rendered } = await open(file);
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(charts).toHaveLength(2);
      expect(rendered).toBe(2);
      for (const c of charts) expect(c.marks, `chart ${c.id}`).toBeGreaterThan(10);
      const body = (await page.textContent('body'))!;
      expect(body).toMatch(/Walk-forward rolling:is=3m,oos=1m: 4 windows/);
      expect(body).toMatch(/Walk-forward efficiency (-?[\d.]+%|n\/a)/);
      expect(await page.locator('table').last().locator('tbody tr').count()).toBe(4);
      await page.screenshot({ path: join(ARTIFACTS, 'report-walk-forward.png'), fullPage: true });
      await page.close();
    }, 120_000);

    it('parallel coordinates with twelve long parameter names: every name in full, no two labels overlap; screenshot kept', async () => {
      const study = await longNameStudy();
      const file = join(ARTIFACTS, 'report-parallel.html');
      writeFileSync(file, renderStudyReport({ storage: study.storage, studyId: study.studyId }));
      const { page, errors, rendered, charts } = await open(file);
      expect(errors).toEqual([]);
      expect(rendered).toBe(charts.length);
      const { labels, svg } = await parallelLabels(page);
      expectReadable(labels, svg, LONG_PARAMS);
      const chart = page.locator('.chart', { has: page.locator('h3', { hasText: /^Parallel coordinates$/ }) });
      await chart.screenshot({ path: join(ARTIFACTS, 'parallel-coordinates.png') });
      await page.close();
    }, 120_000);

    it('a study with two objectives: the Pareto front, its staircase and the hypervolume history drawn, no console errors', async () => {
      const study = createStudy({ studyName: 'two objectives', directions: ['maximize', 'minimize'], sampler: new RandomSampler({ seed: 7 }) });
      study.setSystemAttr('study:metric_names', ['sharpe', 'max_drawdown']);
      await study.optimize((trial) => {
        const x = trial.suggestFloat('x', 0, 2);
        return [2 - (x - 1) ** 2, x * x + trial.suggestFloat('y', 0, 1)];
      }, { nTrials: 60 });
      const file = join(ARTIFACTS, 'report-pareto.html');
      writeFileSync(file, renderStudyReport({ storage: study.storage, studyId: study.studyId }));
      const { page, errors, dialogs, charts, rendered } = await open(file);
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(rendered).toBe(charts.length);
      for (const c of charts) expect(c.marks, `chart ${c.id}`).toBeGreaterThan(3);
      for (const title of ['sharpe × max_drawdown', 'Hypervolume history']) {
        const id = await page.locator('.chart', { has: page.locator('h3', { hasText: new RegExp(`^${title}$`) }) }).locator('.vega-chart').getAttribute('data-chart');
        expect(charts.find((c) => c.id === id)!.marks, title).toBeGreaterThan(10);
      }
      await page.screenshot({ path: join(ARTIFACTS, 'report-pareto.png'), fullPage: true });
      await page.close();
    }, 120_000);

    it('a study with quotes and markup in parameter names and values renders without running any of it', async () => {
      const study = await evilParamStudy();
      const file = join(ARTIFACTS, 'report-escaping.html');
      writeFileSync(file, renderStudyReport({ storage: study.storage, studyId: study.studyId }));
      const { page, errors, dialogs, charts, rendered } = await open(file);
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(rendered).toBe(charts.length);
      for (const c of charts) expect(c.marks, `chart ${c.id}`).toBeGreaterThan(3);
      // The hostile strings are shown as text.
      expect(await page.textContent('body')).toContain('we"ird \'name\' <b>');
      await page.close();
    }, 120_000);
  });
}
