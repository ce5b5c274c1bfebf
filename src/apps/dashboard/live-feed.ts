/**
 * Live updates: each open study page holds one server-sent-events stream. The server follows
 * each watched study through its watch (study-watch.ts: a cursor over the trials created or
 * moved on, never the whole study) every `pollMs`, and sends the study's pages what changed
 * since each page's last event, with the study's counts and best trial.
 *
 * Events: `ready` (following from now on: load the page; with the counts and best), `trials`
 * (`changed`: the changed trials, with the counts and best), `problem` (the studies cannot be read: the message; the stream stays and the server
 * keeps trying), `gone` (no study of that name any more). One poller per study, shared by its
 * pages; it stops when the last page closes.
 */
import type { ServerResponse } from 'node:http';
import { toJsonText, studyStatePayload, trialRow } from './api.js';
import type { DashboardStore } from './study-store.js';
import type { StudyWatches } from './study-watches.js';

/** At most this many changed trials per event (the page reloads its table anyway). */
const MAX_PER_EVENT = 500;
/** A comment line this often keeps proxies and browsers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

interface Page {
  readonly res: ServerResponse;
  /** The watch's sequence number of the last change sent to this page; null before `ready`. */
  seq: number | null;
  studyId: number | null;
}

interface Poller {
  readonly name: string;
  readonly pages: Set<Page>;
  timer: NodeJS.Timeout | null;
  lastSent: number;
  /** The last problem sent, so that a lasting one is not repeated every poll. */
  problem: string | null;
  gone: boolean;
}

interface LiveEvent {
  readonly event: 'ready' | 'trials' | 'problem' | 'gone';
  readonly data: unknown;
}

export class LiveFeed {
  private readonly pollers = new Map<string, Poller>();

  constructor(
    private readonly store: DashboardStore,
    private readonly watches: StudyWatches,
    private readonly pollMs: number,
  ) {}

  /** Turns `res` into an event stream of study `name`'s changes. */
  subscribe(name: string, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
    res.write('retry: 2000\n\n');
    let p = this.pollers.get(name);
    if (!p) {
      p = { name, pages: new Set(), timer: null, lastSent: Date.now(), problem: null, gone: false };
      this.pollers.set(name, p);
    }
    const poller = p;
    const page: Page = { res, seq: null, studyId: null };
    poller.pages.add(page);
    res.on('close', () => {
      poller.pages.delete(page);
      if (poller.pages.size === 0) this.stop(poller);
    });
    if (poller.timer) clearTimeout(poller.timer);
    poller.timer = setTimeout(() => this.poll(poller), 0);
  }

  /** Ends every stream (the server is closing). */
  close(): void {
    for (const p of this.pollers.values()) {
      for (const page of p.pages) page.res.end();
      this.stop(p);
    }
  }

  private stop(p: Poller): void {
    if (p.timer) clearTimeout(p.timer);
    p.timer = null;
    this.pollers.delete(p.name);
  }

  private poll(p: Poller): void {
    let behind = false;
    const now = Date.now();
    try {
      this.store.read((storage, opening) => {
        const watch = this.watches.watchOf(storage, opening, p.name, now);
        if (!watch) {
          if (!p.gone) this.broadcast(p, { event: 'gone', data: { message: `there is no study named '${p.name}' any more (deleted?); this page follows it again if it is made again` } });
          p.gone = true;
          for (const page of p.pages) page.seq = null;
          return;
        }
        p.gone = false;
        behind = watch.behind;
        const state = studyStatePayload(watch.state());
        for (const page of p.pages) {
          if (page.seq === null || page.studyId !== watch.studyId) {
            // A new page, or the study made again under the same name: follow from now on.
            page.seq = watch.lastSeq;
            page.studyId = watch.studyId;
            send(page.res, { event: 'ready', data: state });
            continue;
          }
          const changes = watch.changesAfter(page.seq);
          if (changes.trials.length === 0) continue;
          page.seq = changes.seq;
          send(page.res, { event: 'trials', data: { ...state, changed: changes.trials.slice(-MAX_PER_EVENT).map(trialRow), missed: changes.dropped } });
          p.lastSent = now;
        }
      });
      p.problem = null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (message !== p.problem) this.broadcast(p, { event: 'problem', data: { message } });
      p.problem = message;
      for (const page of p.pages) page.seq = null; // from now on again once the store is back
    }
    if (now - p.lastSent >= KEEPALIVE_MS) {
      for (const page of p.pages) page.res.write(': keep-alive\n\n');
      p.lastSent = now;
    }
    if (this.pollers.get(p.name) === p) p.timer = setTimeout(() => this.poll(p), behind ? 0 : this.pollMs);
  }

  private broadcast(p: Poller, e: LiveEvent): void {
    for (const page of p.pages) send(page.res, e);
    p.lastSent = Date.now();
  }
}

function send(res: ServerResponse, e: LiveEvent): void {
  res.write(`event: ${e.event}\ndata: ${toJsonText(e.data)}\n\n`);
}
