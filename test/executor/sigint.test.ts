/**
 * SIGINT to a pool run on a SQLite store leaves a consistent, resumable study: every trial the
 * run started is finished (COMPLETE, or FAIL with a reason), and a second run continues it.
 * (The same handling the CLI's --workers wiring gives Ctrl-C; fixture: sigint-run.mjs.)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadStudy } from '../../src/study.js';

const script = fileURLToPath(new URL('../fixtures/executor/sigint-run.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'studyopt-sigint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(db: string, ms: number, interrupt: boolean): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, db, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (interrupt && out.includes('running\n') && !child.killed) child.kill('SIGINT');
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('SIGINT', () => {
  it('leaves a consistent, resumable store', async () => {
    const db = join(dir, 'study.db');
    const first = await run(db, 40, true);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.out.trim().split('\n').pop()!);
    expect(summary.stopReason).toBe('aborted');
    const study = loadStudy({ studyName: 'sigint', storage: `sqlite:///${db}` });
    const trials = study.trials;
    expect(trials.length).toBeGreaterThanOrEqual(4);
    expect(trials.filter((t) => t.state === 'RUNNING' || t.state === 'WAITING')).toEqual([]);
    for (const t of trials.filter((x) => x.state === 'FAIL')) expect(String(t.systemAttrs.fail_reason)).toMatch(/^interrupted/);
    const before = trials.length;
    study.storage.close();

    // Resume: the same study goes on from where it stopped.
    const second = await run(db, 40, true);
    expect(second.code).toBe(0);
    const again = loadStudy({ studyName: 'sigint', storage: `sqlite:///${db}` });
    expect(again.trials.length).toBeGreaterThan(before);
    expect(again.trials.filter((t) => t.state === 'RUNNING')).toEqual([]);
    expect(again.trials.map((t) => t.number)).toEqual(again.trials.map((_, i) => i));
    again.storage.close();
  });
});
