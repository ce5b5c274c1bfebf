/**
 * The dashboard on a large study (issue 17's targets). Build first (`npm run build`), then:
 *
 *   node dist/scripts/bench-dashboard.js [--trials 1500000] [--params 11] [--file F] [--repeats 5] [--settle 0] [--report-trials N]
 *
 * Writes a study of `--trials` COMPLETE trials with `--params` float parameters straight into a
 * study file (scripts/lib/big-study.ts; `--file` reuses one), starts `studyopt dashboard` on it
 * in its own process, and measures:
 *   - the study page's first data: /api/study then the first page of /api/trials (newest first,
 *     as the page asks), cold (the first request, `--settle` seconds after the server said where
 *     it listens: it takes each study's first look in the background meanwhile) and warm
 *     (median of --repeats);
 *   - other first pages: sorted by value, filtered by a parameter range, the studies list;
 *   - the update round trip: from the commit of a trial written by another connection until
 *     the page's event stream delivers it (median of --repeats);
 *   - the server process's peak resident memory (VmHWM) after all of it;
 *   - then the study's report page (/study/report: above --report-trials trials drawn from the
 *     best trials and a uniform sample, report/trial-sample.ts), twice, and the peak memory
 *     after it.
 * The baseline in the same run: the same requests on a study of 1,000 trials in the same file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStorage } from '../src/storage/sqlite/sqlite-storage.js';
import { floatDistribution } from '../src/distributions.js';
import { buildBigStudy } from './lib/big-study.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
function textArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'apps', 'cli', 'main.js');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(url: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return performance.now() - t0;
}

/** Study page data: the study, then its first page of trials. */
async function studyPage(base: string, name: string): Promise<number> {
  return (await timed(`${base}/api/study?name=${name}`)) + (await timed(`${base}/api/trials?name=${name}&limit=50&order=desc`));
}

/**
 * Writes one trial through another connection (`writer`, opened before: its first look at a big
 * study is the writer's cost, not the dashboard's) and waits for the event stream to deliver it:
 * ms from the write's commit to the event.
 */
async function roundTrip(base: string, writer: SqliteStorage, name: string): Promise<number> {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/events?name=${name}`, { signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let written = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the event stream ended');
      buffer += decoder.decode(value, { stream: true });
      if (written === 0 && buffer.includes('event: ready')) {
        const id = writer.findStudyId(name)!;
        writer.createTrial(id, { state: 'COMPLETE', values: [1], params: { x0: { internal: 0.5, distribution: floatDistribution(-5, 5) } } });
        writer.flush?.();
        written = performance.now();
      }
      if (written > 0 && buffer.includes('event: trials')) return performance.now() - written;
    }
  } finally {
    controller.abort();
  }
}

function peakMemoryMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Follows the server's child processes (the report's), every 50 ms, for their largest peak memory (MB); stop() gives it, null when none ran. */
function watchChildPeak(pid: number): { stop(): number | null } {
  let peak: number | null = null;
  const look = (): void => {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      return;
    }
    for (const child of children) {
      try {
        peak = Math.max(peak ?? 0, peakMemoryMb(Number(child)));
      } catch {
        // It ended between the two reads.
      }
    }
  };
  const timer = setInterval(look, 50);
  return {
    stop: () => {
      clearInterval(timer);
      look();
      return peak;
    },
  };
}

async function main(): Promise<void> {
  const n = arg('trials', 1_500_000);
  const params = arg('params', 11);
  const repeats = arg('repeats', 5);
  const given = textArg('file');
  const dir = given ? null : mkdtempSync(join(tmpdir(), 'studyopt-bench-dashboard-'));
  const file = given ?? join(dir!, 'dashboard.db');
  try {
    if (!existsSync(file)) {
      const t0 = performance.now();
      buildBigStudy(file, 1000, { params, studyName: 'small' });
      buildBigStudy(file, n, { params, studyName: 'big' });
      console.log(`built ${n} + 1,000 trials with ${params} parameters in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const reportTrials = textArg('report-trials');
    const server = spawn(process.execPath, [BIN, 'dashboard', '--storage', file, '--port', '0', ...(reportTrials ? ['--report-trials', reportTrials] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    const base = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (d) => {
        out += d;
        const m = /dashboard on (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1].replace(/\/$/, ''));
      });
      server.on('exit', (code) => reject(new Error(`the dashboard exited with ${code}`)));
    });
    try {
      await new Promise((r) => setTimeout(r, arg('settle', 0) * 1000));
      const writer = new SqliteStorage(file, { heartbeatInterval: null });
      for (const name of ['big', 'small']) writer.getNTrials(writer.findStudyId(name)!);
      const rows: string[] = [];
      for (const name of ['big', 'small']) {
        const cold = await studyPage(base, name);
        const warm: number[] = [];
        for (let i = 0; i < repeats; i++) warm.push(await studyPage(base, name));
        const byValue: number[] = [];
        const filtered: number[] = [];
        const trips: number[] = [];
        for (let i = 0; i < repeats; i++) {
          byValue.push(await timed(`${base}/api/trials?name=${name}&limit=50&sort=value`));
          filtered.push(await timed(`${base}/api/trials?name=${name}&limit=50&param=x0:0:0.5`));
          trips.push(await roundTrip(base, writer, name));
        }
        rows.push(
          `| ${name} | ${cold.toFixed(0)} | ${median(warm).toFixed(0)} | ${median(byValue).toFixed(0)} (first ${byValue[0].toFixed(0)}) | ${median(filtered).toFixed(0)} | ${median(trips).toFixed(0)} |`,
        );
      }
      writer.close();
      const studies: number[] = [];
      for (let i = 0; i < repeats; i++) studies.push(await timed(`${base}/api/studies`));
      console.log(`\ndashboard on ${n.toLocaleString('en')} trials (${params} parameters) against 1,000, same file and server; first request ${arg('settle', 0)} s after start; ms, medians of ${repeats}\n`);
      console.log('| study | study page cold | study page warm | first page by value (the first request: the ranking is read) | first page, x0 in [0, 0.5] | update round trip |');
      console.log('|---|---|---|---|---|---|');
      for (const r of rows) console.log(r);
      console.log(`\nstudies list: ${median(studies).toFixed(0)} ms; server peak memory (VmHWM): ${peakMemoryMb(server.pid!).toFixed(0)} MB`);
      for (const name of ['small', 'big']) {
        const child = watchChildPeak(server.pid!);
        const t0 = performance.now();
        const report = timed(`${base}/study/report?name=${name}`);
        // While the report is built (in a child process), the server still answers: a study page's data.
        await new Promise((r) => setTimeout(r, 300));
        const during = performance.now() - t0 < 300 + 50 ? await studyPage(base, name) : null;
        const first = await report;
        const childPeak = child.stop();
        const kept = await timed(`${base}/study/report?name=${name}`);
        console.log(
          `report page of ${name}: ${(first / 1000).toFixed(2)} s, reopened ${(kept / 1000).toFixed(2)} s; study page during the build ${during === null ? '-' : `${during.toFixed(0)} ms`}; ` +
            `the report process's peak memory ${childPeak === null ? '(none: built in the server)' : `${childPeak.toFixed(0)} MB`}; server peak memory after it: ${peakMemoryMb(server.pid!).toFixed(0)} MB`,
        );
      }
    } finally {
      server.kill('SIGINT');
    }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
