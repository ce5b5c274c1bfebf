// The dashboard in a real browser: Debian's headless Chromium driven by playwright-core (never a
// downloaded browser), served by `studyopt dashboard` over a study file while another process
// (`studyopt optimize`) adds trials to the study the page shows: they must appear without a
// reload. Then an IB trial's page with its equity curve drawn, and the studies page. No console
// errors and no dialogs (the hostile study name must not run) anywhere. Screenshots are kept as
// test artifacts (test-artifacts/dashboard-*.png).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, chromiumPresent, launchChromium, watchedPage } from '../helpers/chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVIL_NAME, dashboardFile, tempFolder } from './fixtures.js';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const ARTIFACTS = resolve('test-artifacts');
const present = chromiumPresent;

/** `studyopt optimize` on the branin function, random sampler: the study `watched` up to `trials` trials. */
function optimizeArgs(path: string, trials: number): string[] {
  return [BIN, 'optimize', '--study', 'function', '--objective', 'branin', '--sampler', 'random', '--seed', '4', '--trials', String(trials), '--storage', path, '--study-name', 'watched'];
}

if (!present && process.env.CI) {
  describe('dashboard in Chromium', () => {
    it('needs Chromium', () => {
      throw new Error(`${CHROMIUM} is missing: the browser test needs Debian's chromium package (run .ci/install-chromium.sh before npm ci)`);
    });
  });
} else {
  describe.skipIf(!present)(`dashboard in Chromium${present ? '' : ` (skipped: no ${CHROMIUM})`}`, () => {
    let folder: ReturnType<typeof tempFolder>;
    let path: string;
    let server: ChildProcess;
    let url: string;
    let context: BrowserContext;
    let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;

    beforeAll(async () => {
      folder = tempFolder();
      path = join(folder.dir, 'studies.db');
      await dashboardFile(path, { ibTrials: 20, quadraticTrials: 5 });
      execFileSync(process.execPath, optimizeArgs(path, 20), { stdio: 'ignore' });
      server = spawn(process.execPath, [BIN, 'dashboard', '--storage', path, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
      url = await new Promise<string>((resolveUrl, reject) => {
        let out = '';
        server.stdout!.on('data', (d) => {
          out += d;
          const m = /dashboard on (http:\/\/\S+)/.exec(out);
          if (m) resolveUrl(m[1].replace(/\/$/, ''));
        });
        server.on('exit', (code) => reject(new Error(`studyopt dashboard exited with ${code}`)));
      });
      browser = await launchChromium();
      context = browser.context;
      mkdirSync(ARTIFACTS, { recursive: true });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      if (server && server.exitCode === null) {
        const exited = new Promise((r) => server.once('exit', r));
        server.kill('SIGINT');
        await exited;
      }
      folder?.cleanup();
    });

    async function open(path: string): Promise<{ page: Page; errors: string[]; dialogs: string[] }> {
      const { page, errors, dialogs } = await watchedPage(context);
      await page.goto(`${url}${path}`);
      return { page, errors, dialogs };
    }

    it('shows trials that another process adds, without a reload', async () => {
      const { page, errors, dialogs } = await open('/study?name=watched');
      await page.waitForFunction("/of 20\\b/.test(document.getElementById('position')?.textContent ?? '')", undefined, { timeout: 30_000 });
      await page.waitForFunction("document.getElementById('live')?.textContent === 'live'", undefined, { timeout: 30_000 });
      const adder = spawn(process.execPath, optimizeArgs(path, 32), { stdio: 'ignore' });
      const code = await new Promise((r) => adder.once('exit', r));
      expect(code).toBe(0);
      const finished = Date.now();
      await page.waitForFunction("/of 32\\b/.test(document.getElementById('position')?.textContent ?? '')", undefined, { timeout: 10_000 });
      // The newest trial first (the default order), shown within 2 s of the adding process's end.
      expect(Date.now() - finished).toBeLessThan(2000);
      const firstNumber = await page.textContent('#trials tbody tr:first-child td:first-child');
      expect(firstNumber).toBe('31');
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-study.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
    }, 60_000);

    it("draws the report's sections in the study page, and rebuilds them once trials are added", async () => {
      const { page, errors, dialogs } = await open('/study?name=watched');
      await page.waitForFunction("/of 32\\b/.test(document.getElementById('position')?.textContent ?? '')", undefined, { timeout: 30_000 });
      expect(await page.getAttribute('#charts-frame', 'src')).toBeNull(); // nothing built until opened
      await page.click('#charts summary');
      const frame = page.frameLocator('#charts-frame');
      await frame.locator('body[data-rendered]').waitFor({ state: 'attached', timeout: 60_000 });
      expect(await frame.locator('.chart svg').count()).toBeGreaterThan(3);
      expect(await page.textContent('#charts-state')).toBe('Drawn for 32 trials.');
      expect(await page.isHidden('#charts-rebuild')).toBe(true);
      const adder = spawn(process.execPath, optimizeArgs(path, 35), { stdio: 'ignore' });
      expect(await new Promise((r) => adder.once('exit', r))).toBe(0);
      // Offered as the study's events arrive (the count follows them: all 3 within the live bound).
      await page.waitForFunction("document.getElementById('charts-rebuild')?.textContent === 'rebuild with the 3 new trials'", undefined, { timeout: 10_000 });
      expect(await page.isHidden('#charts-rebuild')).toBe(false);
      await page.click('#charts-rebuild');
      expect(await page.textContent('#charts-state')).toBe('Drawn for 35 trials.');
      // The frame's new page: its summary counts the added trials.
      await frame.locator('text=35 completed trials').waitFor({ timeout: 60_000 });
      await frame.locator('body[data-rendered]').waitFor({ state: 'attached', timeout: 60_000 });
      expect(await frame.locator('.chart svg').count()).toBeGreaterThan(3);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-charts.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
    }, 120_000);

    it("draws an IB trial's equity curve, re-run on demand", async () => {
      const { page, errors, dialogs } = await open(`/trial?name=${encodeURIComponent(EVIL_NAME)}&number=2`);
      await page.waitForSelector('body[data-rendered]', { state: 'attached', timeout: 60_000 });
      const title = await page.textContent('h1');
      expect(title).toBe(`Trial #2 of ${EVIL_NAME}`);
      const equity = page.locator('.chart', { hasText: 'Equity curve' }).locator('svg');
      expect(await equity.locator('path').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-trial.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
    }, 60_000);

    it('lists every study, the hostile name as text', async () => {
      const { page, errors, dialogs } = await open('/');
      await page.waitForSelector('#studies table', { timeout: 30_000 });
      const names = await page.$$eval('#studies tbody tr td:first-child', (cells) => cells.map((c) => c.textContent));
      expect(names.sort()).toEqual([EVIL_NAME, 'quadratic', 'watched'].sort());
      // The CLI recorded the run's target: progress against it.
      const watched = await page.$$eval('#studies tbody tr', (rows) => rows.map((r) => r.textContent ?? '').find((t) => t.startsWith('watched')));
      expect(watched).toContain('35 of 35');
      expect(watched).toContain('done');
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-studies.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(dialogs).toEqual([]);
    }, 60_000);
  });
}
