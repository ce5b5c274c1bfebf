/**
 * Live updates: each open study page holds one server-sent-events stream, and the server
 * follows each watched study with a cursor (storage/trial-query.ts trialChanges): every
 * `pollMs` it reads the trials created or moved on since the last look (ids past the last one
 * seen, and the few open trials), never the whole study, and sends them to the study's pages.
 *
 * Events: `ready` (following from now on: load the page), `trials` (changed trials and the new
 * counts), `problem` (the studies cannot be read: the message; the stream stays and the server
 * keeps trying), `gone` (no study of that name any more). One follower per study, shared by its
 * pages; it stops when the last page closes.
 */
import type { ServerResponse } from 'node:http';
import { UsageError } from '../../errors.js';
import { type TrialCursor, trialChanges } from '../../storage/trial-query.js';
import { toJsonText, trialRow } from './api.js';
import type { DashboardStore } from './study-store.js';

/** At most this many changed trials per event; more wait for the next poll, which comes at once. */
const MAX_PER_EVENT = 2000;
/** A comment line this often keeps proxies and browsers from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

interface Follower {
  readonly name: string;
  readonly pages: Set<ServerResponse>;
  studyId: number | null;
  cursor: TrialCursor | null;
  timer: NodeJS.Timeout | null;
  lastSent: number;
  /** The last problem sent, so that a lasting one is not repeated every poll. */
  problem: string | null;
}

interface LiveEvent {
  readonly event: 'ready' | 'trials' | 'problem' | 'gone';
  readonly data: unknown;
}

export class LiveFeed {
  private readonly followers = new Map<string, Follower>();

  constructor(
    private readonly store: DashboardStore,
    private readonly pollMs: number,
  ) {}

  /** Turns `res` into an event stream of study `name`'s changes. */
  subscribe(name: string, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
    res.write('retry: 2000\n\n');
    let f = this.followers.get(name);
    if (!f) {
      f = { name, pages: new Set(), studyId: null, cursor: null, timer: null, lastSent: Date.now(), problem: null };
      this.followers.set(name, f);
    }
    const follower = f;
    follower.pages.add(res);
    res.on('close', () => {
      follower.pages.delete(res);
      if (follower.pages.size === 0) this.stop(follower);
    });
    if (follower.cursor !== null) send(res, { event: 'ready', data: {} });
    follower.timer ??= setTimeout(() => this.poll(follower), 0);
  }

  /** Ends every stream (the server is closing). */
  close(): void {
    for (const f of this.followers.values()) {
      for (const res of f.pages) res.end();
      this.stop(f);
    }
  }

  private stop(f: Follower): void {
    if (f.timer) clearTimeout(f.timer);
    f.timer = null;
    this.followers.delete(f.name);
  }

  private poll(f: Follower): void {
    let events: LiveEvent[];
    let more = false;
    try {
      events = this.store.read((storage) => {
        const id = storage.findStudyId(f.name);
        if (id === null) {
          f.cursor = null;
          f.studyId = null;
          return [{ event: 'gone', data: { message: `there is no study named '${f.name}' any more (deleted?); this page follows it again if it is made again` } }];
        }
        if (id !== f.studyId || f.cursor === null) {
          // First look, or the study was made again under the same name: follow from now on.
          f.studyId = id;
          f.cursor = trialChanges(storage, id, null).cursor;
          return [{ event: 'ready', data: {} }];
        }
        const step = trialChanges(storage, id, f.cursor, MAX_PER_EVENT);
        f.cursor = step.cursor;
        more = step.more;
        if (step.trials.length === 0) return [];
        const summary = storage.getAllStudies().find((s) => s.studyId === id);
        return [{ event: 'trials', data: { trials: step.trials.map(trialRow), trialsTotal: summary?.nTrials ?? null, counts: summary?.countsByState ?? null } }];
      });
      f.problem = null;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!(err instanceof UsageError)) f.cursor = null; // read again from now once the store is back
      events = message === f.problem ? [] : [{ event: 'problem', data: { message } }];
      f.problem = message;
    }
    const now = Date.now();
    for (const e of events) for (const res of f.pages) send(res, e);
    if (events.length > 0) f.lastSent = now;
    else if (now - f.lastSent >= KEEPALIVE_MS) {
      for (const res of f.pages) res.write(': keep-alive\n\n');
      f.lastSent = now;
    }
    if (this.followers.get(f.name) === f) f.timer = setTimeout(() => this.poll(f), more ? 0 : this.pollMs);
  }
}

function send(res: ServerResponse, e: LiveEvent): void {
  res.write(`event: ${e.event}\ndata: ${toJsonText(e.data)}\n\n`);
}
