/**
 * `studyopt dashboard`: a local web app over a study store, read-only. Node's own HTTP server
 * (a handful of routes need no framework); the pages are plain HTML with a small script that
 * reads the JSON API (api.ts) and follows changes as server-sent events (live-feed.ts); the
 * study report and a trial's IB equity curve are the static report's pages (report/), built on
 * request.
 *
 *   GET /                         the studies
 *   GET /study?name=S             one study: counts, best, a live trial table
 *   GET /study/report?name=S      the study's report sections (the static report's page; a big study's from a sample)
 *   GET /trial?name=S&number=N    one trial, with its IB equity curve and trades when it has them
 *   GET /api/studies              JSON: every study
 *   GET /api/study?name=S         JSON: one study
 *   GET /api/trials?name=S&...    JSON: one page of trials (request-params.ts)
 *   GET /api/events?name=S        server-sent events of study S's changes
 *
 * Errors: bad parameters 400, unknown study or trial 404, store unreadable 503, each with a
 * message in JSON ({"error": ...}) or a page; never a stack trace.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../../errors.js';
import { TOKEN_COOKIE, isAllowed, isLoopback, newToken } from './access.js';
import { studiesPayload, studyPayload, toJsonText, trialsPayload } from './api.js';
import { FinishRate } from './finish-rate.js';
import { LiveFeed } from './live-feed.js';
import { StudyWatches } from './study-watches.js';
import { REPORT_TRIALS, errorPage, studiesPage, studyPage, trialPage } from './pages.js';
import { ReportBuilder } from './report-builder.js';
import { ValueRankings } from './value-ranking.js';
import { NotFoundError, requiredText, studyIdOf } from './request-params.js';
import { DashboardStore, StoreUnavailableError } from './study-store.js';
import { openStorage } from '../cli/commands/storage-options.js';

export interface DashboardOptions {
  /** The store: an SQLite file path or URL, or a PostgreSQL URL. */
  readonly storage: string;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /**
   * The token required beyond loopback: given, generated (undefined), or none (null, only on a
   * loopback host). On a loopback host no token is required unless one is given.
   */
  readonly token?: string | null;
  /** How often a watched study is read for changes (ms). Default 500. */
  readonly pollMs?: number;
  /** The report page reads at most about this many trials of a study (pages.ts REPORT_TRIALS, the default); a bigger one's charts come from a labelled sample. */
  readonly reportTrials?: number;
  /** Build report pages in a child process (report-builder.ts; the default where its script is found) or in the server's. */
  readonly reportInChild?: boolean;
}

export interface Dashboard {
  /** Where to open it (with the token, when one is required). */
  readonly url: string;
  readonly token: string | null;
  close(): Promise<void>;
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  if (options.token === null && !isLoopback(host)) {
    throw new UsageError(`--host ${host} shows the studies to the network, so the dashboard needs a token: leave --token out to have one made, or bind to 127.0.0.1`);
  }
  const token = options.token === undefined ? (isLoopback(host) ? null : newToken()) : options.token;
  // Fail now, at the command line, when the store cannot be opened at all (a missing file says how to make one).
  openStorage(options.storage).close();
  const store = new DashboardStore(options.storage);
  const rates = new FinishRate();
  const pollMs = options.pollMs ?? 500;
  const reportTrials = options.reportTrials ?? REPORT_TRIALS;
  if (!Number.isInteger(reportTrials) || reportTrials < 10) throw new UsageError(`--report-trials ${reportTrials}: give a whole number of at least 10 (trials the report page reads; default ${REPORT_TRIALS})`);
  // A study's changes are read at most twice per poll interval, however many pages ask.
  const watches = new StudyWatches(pollMs / 2);
  const live = new LiveFeed(store, watches, pollMs);
  const reports = new ReportBuilder({ location: options.storage, maxTrials: reportTrials, inChild: options.reportInChild });
  const rankings = new ValueRankings();
  const server = createServer((req, res) => handle(req, res, { store, watches, rates, live, token, reports, rankings }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new UsageError(`--port ${options.port ?? 8080}: the port is in use on ${host}; choose another with --port, or --port 0 for any free one`) : err),
    );
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${shownHost}:${address.port}/${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const warmUp = warmWatches(store, watches);
  return {
    url,
    token,
    close: () => {
      warmUp.cancel();
      reports.close();
      return closeServer(server, live, store);
    },
  };
}

/**
 * Takes each study's first look (study-watch.ts) one study at a time in the background, right
 * after the server starts: on a 1.5-million-trial study that look reads the best trial through a
 * scan of its values (seconds), which the first page opened would otherwise wait for. Requests
 * that come meanwhile are answered between two studies.
 */
function warmWatches(store: DashboardStore, watches: StudyWatches): { cancel(): void } {
  let timer: NodeJS.Timeout | null = null;
  let names: string[] = [];
  try {
    names = store.read((s) => s.getAllStudies().map((x) => x.studyName));
  } catch {
    // The store cannot be read now: the pages say so and the watches start when they are asked for.
  }
  const next = (): void => {
    const name = names.shift();
    if (name === undefined) return;
    try {
      store.read((s, opening) => watches.watchOf(s, opening, name));
    } catch {
      // As above: nothing to warm.
    }
    timer = setTimeout(next, 0);
  };
  timer = setTimeout(next, 0);
  return { cancel: () => timer && clearTimeout(timer) };
}

interface Context {
  readonly store: DashboardStore;
  readonly watches: StudyWatches;
  readonly rates: FinishRate;
  readonly live: LiveFeed;
  readonly token: string | null;
  readonly reports: ReportBuilder;
  readonly rankings: ValueRankings;
}

function handle(req: IncomingMessage, res: ServerResponse, ctx: Context): void {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  } catch {
    return sendJson(res, 400, { error: 'the request URL cannot be read' });
  }
  const isApi = url.pathname.startsWith('/api/');
  if (!isAllowed(req, url, ctx.token)) {
    const message = 'this dashboard needs its token: open the URL that `studyopt dashboard` printed (it ends with ?token=...)';
    return isApi ? sendJson(res, 401, { error: message }) : sendHtml(res, 401, errorPage('Token needed', message));
  }
  if (ctx.token !== null && url.searchParams.get('token') === ctx.token) {
    // Keep the token for the pages' own requests (same site, not readable by scripts).
    res.setHeader('set-cookie', `${TOKEN_COOKIE}=${encodeURIComponent(ctx.token)}; Path=/; HttpOnly; SameSite=Strict`);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return isApi ? sendJson(res, 405, { error: `the dashboard is read-only: ${req.method} is not allowed` }) : sendHtml(res, 405, errorPage('Read-only', `the dashboard is read-only: ${req.method} is not allowed`));
  }
  try {
    switch (url.pathname) {
      case '/':
        return sendHtml(res, 200, studiesPage());
      case '/study':
        return sendHtml(res, 200, studyPage(requiredText(url, 'name')));
      case '/study/report': {
        const name = requiredText(url, 'name');
        // The page is kept for the study's state it was built on: its watch's counts by state.
        const stamp = ctx.store.read((s, opening) => {
          studyIdOf(s, name); // an unknown name: 404 with the studies there are
          const watch = ctx.watches.watchOf(s, opening, name);
          if (!watch) throw new NotFoundError(`no study named '${name}' any more`);
          return `${opening}:${watch.studyId}:${JSON.stringify(watch.state().counts)}`;
        });
        void ctx.reports.page(name, stamp).then(
          (html) => sendHtml(res, 200, html),
          (err: unknown) => sendError(res, false, err),
        );
        return;
      }
      case '/trial': {
        const name = requiredText(url, 'name');
        return sendHtml(res, 200, ctx.store.read((s) => trialPage(s, name, url)));
      }
      case '/api/studies':
        return sendJson(res, 200, ctx.store.read((s, opening) => studiesPayload(s, opening, ctx.watches, ctx.rates)));
      case '/api/study': {
        const name = requiredText(url, 'name');
        return sendJson(res, 200, ctx.store.read((s, opening) => studyPayload(s, opening, ctx.watches, name)));
      }
      case '/api/trials': {
        const name = requiredText(url, 'name');
        return sendJson(res, 200, ctx.store.read((s, opening) => trialsPayload(s, opening, ctx.watches, ctx.rankings, name, url)));
      }
      case '/favicon.ico':
        // Browsers ask for it; there is none.
        res.writeHead(204, SECURITY_HEADERS);
        return void res.end();
      case '/api/events':
        return ctx.live.subscribe(requiredText(url, 'name'), res);
      default:
        return isApi ? sendJson(res, 404, { error: `no such API route: ${url.pathname}` }) : sendHtml(res, 404, errorPage('Not found', `nothing at ${url.pathname}: the dashboard starts at /`));
    }
  } catch (err) {
    return sendError(res, isApi, err);
  }
}

/** An error as its status (bad parameters 400, unknown study or trial 404, store unreadable 503, else 500) and message; never a stack trace. */
function sendError(res: ServerResponse, isApi: boolean, err: unknown): void {
  const [status, title] =
    err instanceof NotFoundError
      ? [404, 'Not found']
      : err instanceof UsageError
        ? [400, 'Bad request']
        : err instanceof StoreUnavailableError
          ? [503, 'Studies unavailable']
          : [500, 'Error'];
  const message = err instanceof Error ? err.message : String(err);
  // A failure of ours: the message to the page, the stack to the terminal.
  if (status === 500) console.error(err);
  return isApi ? sendJson(res, status, { error: message }) : sendHtml(res, status, errorPage(title, message));
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS });
  res.end(toJsonText(body));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  // Framed only by the dashboard's own pages (the study page shows the report in a frame), never
  // by another site's (clickjacking).
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'x-frame-options': 'SAMEORIGIN', ...SECURITY_HEADERS });
  res.end(html);
}

function closeServer(server: Server, live: LiveFeed, store: DashboardStore): Promise<void> {
  live.close();
  return new Promise((resolve) => {
    server.close(() => {
      store.close();
      resolve();
    });
    server.closeAllConnections();
  });
}
