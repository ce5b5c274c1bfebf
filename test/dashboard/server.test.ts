/**
 * The dashboard over HTTP (src/apps/dashboard/): the API's answers, escaping of hostile names,
 * the token rule, bad parameters (400 with a message, never a stack trace), read-only, live
 * events while another connection adds trials, and recovery when the study file disappears
 * and comes back; on PostgreSQL too.
 */
import { copyFileSync, renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type Dashboard, startDashboard } from '../../src/apps/dashboard/server.js';
import { UsageError } from '../../src/errors.js';
import { RUN_TARGET_KEY } from '../../src/apps/cli/run-target.js';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { SqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import { createDatabase } from '../helpers/postgres.js';
import { EVIL_ATTR, EVIL_NAME, WATCHED, addQuadraticTrials, dashboardFile, tempFolder } from './fixtures.js';

const postgresUrl = inject('postgresUrl');

function base(d: Dashboard): string {
  return d.url.replace(/\/(\?.*)?$/, '');
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Reads server-sent events from `url` until `until` returns true for one (or the timeout). */
async function readEvents(url: string, until: (event: string, data: unknown) => boolean, timeoutMs: number, onOpen?: (event: string) => Promise<void> | void): Promise<{ event: string; data: unknown; at: number }[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const seen: { event: string; data: unknown; at: number }[] = [];
  try {
    const res = await fetch(url, { signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || data === undefined) continue;
        const parsed = JSON.parse(data) as unknown;
        seen.push({ event, data: parsed, at: Date.now() });
        if (onOpen) await onOpen(event);
        if (until(event, parsed)) return seen;
      }
    }
  } catch (err) {
    if ((err as Error).name !== 'AbortError') throw err;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return seen;
}

describe('dashboard over an SQLite file', () => {
  let folder: ReturnType<typeof tempFolder>;
  let path: string;
  let dashboard: Dashboard;
  let url: string;

  beforeAll(async () => {
    folder = tempFolder();
    path = join(folder.dir, 'studies.db');
    await dashboardFile(path);
    dashboard = await startDashboard({ storage: path, port: 0, pollMs: 200 });
    url = base(dashboard);
  }, 120_000);

  afterAll(async () => {
    await dashboard?.close();
    folder?.cleanup();
  });

  it('lists the studies with their counts, progress and best values', async () => {
    expect(dashboard.token).toBeNull();
    const writer = new SqliteStorage(path);
    writer.setStudySystemAttr(writer.findStudyId(WATCHED)!, RUN_TARGET_KEY, { finished: 40, searchSize: 120 });
    writer.close();
    const { status, body } = await getJson(`${url}/api/studies`);
    expect(status).toBe(200);
    const studies = body.studies as { name: string; trials: number; counts: Record<string, number>; best: { value: number } | null; state: string; directions: string[] }[];
    expect(studies.map((s) => s.name).sort()).toEqual([EVIL_NAME, WATCHED].sort());
    const q = studies.find((s) => s.name === WATCHED)!;
    expect(q.trials).toBe(30);
    expect(q.counts.COMPLETE).toBe(30);
    expect(q.state).toBe('idle');
    expect(q.directions).toEqual(['minimize']);
    expect(typeof q.best!.value).toBe('number');
    const progress = q as unknown as { target: number; coverage: number; etaSeconds: number | null };
    expect([progress.target, progress.coverage]).toEqual([40, 0.25]);
    // No rate yet (one look), so no time left either; the IB study has no target (not made by the CLI).
    expect(progress.etaSeconds).toBeNull();
    expect((studies.find((s) => s.name === EVIL_NAME) as unknown as { target: number | null }).target).toBeNull();
  });

  it('pages through trials in any order, and filters them', async () => {
    const name = encodeURIComponent(WATCHED);
    const first = await getJson(`${url}/api/trials?name=${name}&limit=10&sort=value&order=asc`);
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(30);
    const values = (first.body.trials as { values: number[] }[]).map((t) => t.values[0]);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    const study = await getJson(`${url}/api/study?name=${name}`);
    expect((study.body.best as { values: number[] }).values[0]).toBe(values[0]);
    expect(study.body.paramNames).toEqual(expect.arrayContaining(['x', 'n']));
    const newest = await getJson(`${url}/api/trials?name=${name}&limit=3&order=desc`);
    expect((newest.body.trials as { number: number }[]).map((t) => t.number)).toEqual([29, 28, 27]);
    const filtered = await getJson(`${url}/api/trials?name=${name}&limit=500&param=x:0:1.5&state=COMPLETE`);
    const xs = (filtered.body.trials as { params: { x: number } }[]).map((t) => t.params.x);
    expect(xs.length).toBe(filtered.body.total);
    expect(xs.length).toBeGreaterThan(0);
    expect(xs.every((x) => x >= 0 && x <= 1.5)).toBe(true);
  });

  it('escapes hostile names and attributes in every page', async () => {
    const name = encodeURIComponent(EVIL_NAME);
    for (const page of [`/study?name=${name}`, `/trial?name=${name}&number=3`, `/study/report?name=${name}`]) {
      const res = await fetch(`${url}${page}`);
      expect(res.status, page).toBe(200);
      // Framed by the dashboard's own study page only (clickjacking).
      expect(res.headers.get('x-frame-options'), page).toBe('SAMEORIGIN');
      const html = await res.text();
      expect(html, page).not.toContain(EVIL_NAME);
      expect(html, page).not.toContain(EVIL_ATTR);
    }
    const trial = await (await fetch(`${url}/trial?name=${name}&number=3`)).text();
    expect(trial).toContain('Trial #3: equity and drawdown');
    const api = await getJson(`${url}/api/study?name=${name}`);
    expect(api.body.name).toBe(EVIL_NAME);
    expect(api.body.ib).toBe(true);
  });

  it('answers bad parameters with 400 and a message naming them, never a stack trace', async () => {
    const name = encodeURIComponent(WATCHED);
    const cases: [string, RegExp][] = [
      [`/api/trials?name=${name}&limit=abc`, /'limit' must be an integer from 0 to 500, but got 'abc'/],
      [`/api/trials?name=${name}&limit=100000`, /'limit'/],
      [`/api/trials?name=${name}&offset=-1`, /'offset'/],
      [`/api/trials?name=${name}&sort=value:9`, /'sort' must be 'number', 'value' or 'value:K' with K from 0 to 0/],
      [`/api/trials?name=${name}&order=up`, /'order' must be 'asc' or 'desc'/],
      [`/api/trials?name=${name}&state=DONE`, /'state' takes RUNNING, COMPLETE/],
      [`/api/trials?name=${name}&param=x:a:b`, /'param' must be 'name:min:max'/],
      ['/api/trials', /'name' is missing/],
    ];
    for (const [path, message] of cases) {
      const { status, body } = await getJson(`${url}${path}`);
      expect(status, path).toBe(400);
      expect(String(body.error), path).toMatch(message);
      expect(String(body.error), path).not.toMatch(/\n\s+at /);
    }
    const page = await fetch(`${url}/trial?name=${name}&number=abc`);
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('&#39;number&#39; must be an integer');
    expect((await getJson(`${url}/api/study?name=nope`)).status).toBe(404);
    expect((await fetch(`${url}/trial?name=${name}&number=999`)).status).toBe(404);
    expect((await getJson(`${url}/api/nothing`)).status).toBe(404);
    const post = await getJson(`${url}/api/studies`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.body.error).toMatch(/read-only/);
  });

  it('sends trials that another connection adds, within 2 s of their commit', async () => {
    let addedAt = 0;
    const events = await readEvents(
      `${url}/api/events?name=${encodeURIComponent(WATCHED)}`,
      (event, data) => event === 'trials' && (data as { trials: number }).trials === 35,
      20_000,
      async (event) => {
        if (event === 'ready') {
          await addQuadraticTrials(path, 5, 11);
          addedAt = Date.now();
        }
      },
    );
    const trials = events.filter((e) => e.event === 'trials');
    expect(trials.length).toBeGreaterThan(0);
    const numbers = trials.flatMap((e) => (e.data as { changed: { number: number; state: string }[] }).changed.filter((t) => t.state === 'COMPLETE').map((t) => t.number));
    const last = trials.at(-1)!.data as { counts: Record<string, number>; best: { number: number } | null };
    expect(last.counts.COMPLETE).toBe(35);
    expect(last.counts.RUNNING).toBe(0);
    expect([...new Set(numbers)].sort((a, b) => a - b)).toEqual([30, 31, 32, 33, 34]);
    expect(trials.at(-1)!.at - addedAt).toBeLessThan(2000);
  }, 30_000);

  it('says when the file is gone and recovers when it is back', async () => {
    const aside = `${path}.aside`;
    renameSync(path, aside);
    try {
      const gone = await getJson(`${url}/api/studies`);
      expect(gone.status).toBe(503);
      expect(gone.body.error).toMatch(/is gone/);
    } finally {
      // Back as another file (a copy): the dashboard opens it afresh.
      copyFileSync(aside, path);
    }
    const back = await getJson(`${url}/api/studies`);
    expect(back.status).toBe(200);
    expect((back.body.studies as unknown[]).length).toBe(2);
  });

  it('tells a watching page when its study is deleted', async () => {
    const storage = new SqliteStorage(path);
    const id = storage.findStudyId(WATCHED)!;
    try {
      const events = await readEvents(`${url}/api/events?name=${encodeURIComponent(WATCHED)}`, (event) => event === 'gone', 10_000, (event) => {
        if (event === 'ready') storage.deleteStudy(id);
      });
      expect(events.map((e) => e.event)).toContain('gone');
      expect((events.at(-1)!.data as { message: string }).message).toMatch(/no study named 'quadratic'/);
    } finally {
      storage.close();
    }
    expect((await getJson(`${url}/api/study?name=${WATCHED}`)).status).toBe(404);
  });
});

describe('dashboard token rule', () => {
  let folder: ReturnType<typeof tempFolder>;
  let path: string;

  beforeAll(async () => {
    folder = tempFolder();
    path = join(folder.dir, 'studies.db');
    const storage = new SqliteStorage(path);
    await createStudy({ storage, studyName: 'a', sampler: new RandomSampler({ seed: 1 }) }).optimize((t) => t.suggestFloat('x', 0, 1), { nTrials: 3 });
    storage.close();
  });
  afterAll(() => folder?.cleanup());

  it('asks for no token on loopback, and for the printed one anywhere else', async () => {
    await expect(startDashboard({ storage: path, host: '0.0.0.0', port: 0, token: null })).rejects.toThrow(UsageError);
    const open = await startDashboard({ storage: path, host: '0.0.0.0', port: 0 });
    try {
      const token = open.token!;
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect(open.url).toContain(`?token=${token}`);
      const root = `http://127.0.0.1:${new URL(open.url).port}`;
      const refused = await getJson(`${root}/api/studies`);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toMatch(/token/);
      expect((await fetch(`${root}/`)).status).toBe(401);
      expect((await getJson(`${root}/api/studies?token=wrong${token.slice(5)}`)).status).toBe(401);
      const withQuery = await fetch(`${root}/?token=${encodeURIComponent(token)}`);
      expect(withQuery.status).toBe(200);
      const cookie = withQuery.headers.get('set-cookie')!.split(';')[0];
      expect((await fetch(`${root}/api/studies`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${root}/api/studies`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('names the processes running a study, with their heartbeats', async () => {
    const writer = new SqliteStorage(path, { heartbeatInterval: null });
    const running = writer.createTrial(writer.findStudyId('a')!) as { trialId: number };
    writer.recordHeartbeat([running.trialId]);
    writer.flush?.();
    const dashboard = await startDashboard({ storage: path, port: 0 });
    try {
      const { body } = await getJson(`${base(dashboard)}/api/studies`);
      const [a] = body.studies as { processes: { host: string; pid: number; running: number; lastHeartbeat: string }[]; state: string }[];
      expect(a.state).toBe('running');
      expect(a.processes.map((p) => [p.host, p.pid, p.running])).toEqual([[hostname(), process.pid, 1]]);
      expect(Date.now() - Date.parse(a.processes[0].lastHeartbeat)).toBeLessThan(60_000);
    } finally {
      await dashboard.close();
      writer.setTrialStateValues(running.trialId, 'FAIL');
      writer.close();
    }
  });

  it('refuses a missing file and a taken port with a message naming the flag', async () => {
    await expect(startDashboard({ storage: join(folder.dir, 'none.db'), port: 0 })).rejects.toThrow(/no study file/);
    const first = await startDashboard({ storage: path, port: 0 });
    try {
      await expect(startDashboard({ storage: path, port: Number(new URL(first.url).port) })).rejects.toThrow(/--port .*in use/);
    } finally {
      await first.close();
    }
  });
});

describe.skipIf(postgresUrl === null)('dashboard over PostgreSQL', () => {
  it('lists, pages and follows a study in a PostgreSQL database', async () => {
    const db = await createDatabase(postgresUrl!, `dashboard_${Math.random().toString(36).slice(2, 10)}`);
    const writer = new PostgresStorage(db);
    const study = createStudy({ storage: writer, studyName: 'pg', direction: 'minimize', sampler: new RandomSampler({ seed: 3 }) });
    await study.optimize((t) => t.suggestFloat('x', -1, 1) ** 2, { nTrials: 12 });
    writer.flush?.();
    const dashboard = await startDashboard({ storage: db, port: 0, pollMs: 200 });
    try {
      const url = base(dashboard);
      const studies = await getJson(`${url}/api/studies`);
      expect((studies.body.studies as { name: string; trials: number }[]).map((s) => [s.name, s.trials])).toEqual([['pg', 12]]);
      const page = await getJson(`${url}/api/trials?name=pg&limit=5&sort=value`);
      expect(page.body.total).toBe(12);
      const events = await readEvents(`${url}/api/events?name=pg`, (event) => event === 'trials', 15_000, async (event) => {
        if (event === 'ready') {
          await study.optimize((t) => t.suggestFloat('x', -1, 1) ** 2, { nTrials: 2 });
          writer.flush?.();
        }
      });
      expect(events.some((e) => e.event === 'trials')).toBe(true);
    } finally {
      await dashboard.close();
      writer.close();
    }
  }, 60_000);
});
