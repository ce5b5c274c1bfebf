/**
 * The dashboard's report pages (/study/report), each built in a child process
 * (report-process.ts) and kept until its study changes.
 *
 * Why a child: on a 1.5-million-trial study the build reads every trial's values and thousands
 * of trials whole and fits the importances (report/trial-sample.ts): seconds of synchronous work
 * and a hundred megabytes or more. In the server, that would stop every page's live events for
 * those seconds and leave the memory in its heap; in a child, the server keeps answering and
 * the memory goes back when the child exits.
 *
 * A page is kept for the study's state it was built on (the study's watch: its trial counts by
 * state), so reopening the report of a study that has not changed costs nothing, and a study
 * that grew gets a new one; several requests for the same page while it is built share the
 * build. Where the child's script is not to be found (the sources run without a build), the
 * page is built in the server's own process.
 */
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors.js';
import { reportPage } from './pages.js';
import { NotFoundError } from './request-params.js';
import { DashboardStore, StoreUnavailableError } from './study-store.js';

/** The argument that makes report-process.ts act (so that importing it elsewhere does nothing). */
export const CHILD_FLAG = '--studyopt-report-child';

/** Pages kept: the reports of this many studies (a page is a few MB: the chart libraries are inlined). */
const KEPT = 4;

export interface ReportJob {
  /** The store as `--storage` gave it. */
  readonly location: string;
  readonly name: string;
  readonly maxTrials: number;
}

/** The page, or the error's kind (the server answers with the status it means) and message. */
export type ReportAnswer = { readonly html: string } | { readonly error: { readonly kind: ErrorKind; readonly message: string } };
type ErrorKind = 'not-found' | 'usage' | 'unavailable' | 'failed';

/**
 * SQLite's page cache for a build, in KiB: the build reads the values in one pass and then the
 * chosen trials by id, so a cache saves little, while the store's default (32 MB) was a sixth of
 * the process's peak at 1.5 million trials.
 */
const BUILD_CACHE_KIB = 2_000;

/** Builds the page a job asks for, in this process; errors become answers. */
export function buildReport(job: ReportJob): ReportAnswer {
  const store = new DashboardStore(job.location, BUILD_CACHE_KIB);
  try {
    return { html: store.read((storage) => reportPage(storage, job.name, job.maxTrials)) };
  } catch (err) {
    const kind: ErrorKind = err instanceof NotFoundError ? 'not-found' : err instanceof UsageError ? 'usage' : err instanceof StoreUnavailableError ? 'unavailable' : 'failed';
    return { error: { kind, message: err instanceof Error ? err.message : String(err) } };
  } finally {
    store.close();
  }
}

/** The error an answer names, as the server's handler maps errors to statuses. */
function errorOf(answer: { error: { kind: ErrorKind; message: string } }): Error {
  const { kind, message } = answer.error;
  return kind === 'not-found' ? new NotFoundError(message) : kind === 'usage' ? new UsageError(message) : kind === 'unavailable' ? new StoreUnavailableError(message) : new Error(message);
}

/** The child's script: beside this file when built, or in dist/ when the sources run (as the worker pool finds its worker). */
function childScript(): string | null {
  for (const candidate of ['./report-process.js', '../../../dist/src/apps/dashboard/report-process.js']) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return null;
}

export interface ReportBuilderOptions {
  readonly location: string;
  readonly maxTrials: number;
  /** Build in a child process (default, when its script is found) or in this one. */
  readonly inChild?: boolean;
}

export class ReportBuilder {
  private readonly kept = new Map<string, { stamp: string; page: Promise<string> }>();
  private readonly children = new Set<ReturnType<typeof fork>>();
  private readonly script: string | null;

  constructor(private readonly options: ReportBuilderOptions) {
    this.script = options.inChild === false ? null : childScript();
  }

  /**
   * The report page of study `name` as of `stamp` (what the study's state was when asked: a
   * different stamp builds a new page).
   */
  page(name: string, stamp: string): Promise<string> {
    const kept = this.kept.get(name);
    if (kept && kept.stamp === stamp) return kept.page;
    const job: ReportJob = { location: this.options.location, name, maxTrials: this.options.maxTrials };
    const page = this.build(job);
    this.kept.delete(name);
    this.kept.set(name, { stamp, page });
    while (this.kept.size > KEPT) this.kept.delete(this.kept.keys().next().value!);
    // A failed build is not kept: the next request tries again.
    page.catch(() => {
      if (this.kept.get(name)?.page === page) this.kept.delete(name);
    });
    return page;
  }

  private build(job: ReportJob): Promise<string> {
    if (this.script === null) {
      const answer = buildReport(job);
      return 'html' in answer ? Promise.resolve(answer.html) : Promise.reject(errorOf(answer));
    }
    // A small young generation: the build's garbage is millions of short-lived rows, which the
    // default one (16 MB semi-spaces) lets pile up to tens of MB between collections; 2 MB keeps
    // the child's peak about 60 MB lower at 1.5 million trials for the same time. Nothing else
    // of this process's flags (a test runner's loaders): the script is plain JavaScript.
    const child = fork(this.script, [CHILD_FLAG], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: ['--max-semi-space-size=2'] });
    this.children.add(child);
    return new Promise<string>((resolve, reject) => {
      let answered = false;
      child.once('message', (answer: ReportAnswer) => {
        answered = true;
        if ('html' in answer) resolve(answer.html);
        else reject(errorOf(answer));
      });
      child.once('error', (err) => reject(new Error(`the report's process failed: ${err.message}`)));
      child.once('exit', (code, signal) => {
        this.children.delete(child);
        if (!answered) reject(new Error(`the report's process stopped (${signal ?? `exit code ${code}`}) before the page was built`));
      });
      child.send(job);
    });
  }

  /** Stops the builds under way. */
  close(): void {
    for (const child of this.children) child.kill();
    this.children.clear();
    this.kept.clear();
  }
}
