/**
 * Objective modules: what the worker pool runs. A module is a file (`.mjs`, `.js`, or `.ts`)
 * whose `objective(trial)` is an ordinary define-by-run objective, exactly as in the library:
 *
 *   export function objective(trial) { const x = trial.suggestFloat('x', -10, 10); return x * x; }
 *
 * and that may also export:
 *
 *   direction / directions     the study's direction(s)
 *   setup(options, context)    runs once per worker (and once in the main thread) before any
 *                              trial: load data, build caches. `options` is the run's
 *                              `moduleOptions`; `context.shared` is what prepareShared returned.
 *   prepareShared(options)     runs once, in the main thread only, and returns a structured-
 *                              clonable object; its SharedArrayBuffers reach every worker's
 *                              setup as the same memory (candle data loaded once, never copied).
 *   space                      a declared search space (src/search-space.ts DeclaredSpace), or a
 *                              function (options) => space: lets the main thread pre-sample
 *                              every parameter from the first trial on.
 *   grid                       a grid spec, or a function returning one (for the grid sampler).
 *   constraints(frozenTrial)   constraint values, feasible when all are <= 0.
 *   dataFingerprint()          the data the objective runs on (src/study-data.ts), called in
 *                              the main thread after setup: recorded with the study, and a run
 *                              on other data is refused unless the user accepts the change.
 *
 * TypeScript modules are loaded through tsx's scoped ESM loader (`tsImport`): Node 20 cannot run
 * TypeScript itself, and tsx (esbuild underneath, type-stripping only) is the widely used, well
 * kept way to import a `.ts` file at run time without a build step or a global loader flag; its
 * scoped form affects only the module imported, not the rest of the process.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../errors.js';
import type { StudyDirection } from '../frozen-trial.js';
import type { Objective } from '../optimize.js';
import type { ConstraintsFunc } from '../study.js';
import type { UrlObject } from '../host-types.js';
import type { DataFingerprint } from '../study-data.js';
import type { DeclaredSpace, GridSpec } from '../search-space.js';
import type { ModuleContext } from './protocol.js';

export interface SetupContext {
  /** What the module's `prepareShared(options)` returned in the main thread, or undefined. */
  readonly shared: unknown;
  /** True for the main thread's own instance (used for `space`, `grid`, `constraints`). */
  readonly isMainThread: boolean;
  /** The worker thread's id (0 in the main thread). */
  readonly threadId: number;
}

export interface ObjectiveModule {
  objective: Objective;
  direction?: StudyDirection;
  directions?: StudyDirection[];
  setup?: (options: any, context: SetupContext) => unknown;
  prepareShared?: (options: any) => unknown;
  space?: DeclaredSpace | ((options: any) => DeclaredSpace);
  grid?: GridSpec | ((...args: any[]) => GridSpec);
  constraints?: ConstraintsFunc;
  dataFingerprint?: () => DataFingerprint;
}

/** An objective module imported and set up in the main thread, ready to run on a pool. */
export interface PreparedObjective {
  /** The main thread's instance of the module, already set up with `moduleOptions`. */
  readonly module: ObjectiveModule;
  /** What workers receive (URL, instance key, options, shared data). */
  readonly context: ModuleContext;
  /** The declared search space, resolved with the options, if the module has one. */
  readonly space: DeclaredSpace | undefined;
}

const TS_EXTENSIONS = /\.(c|m)?tsx?$/i;

/** A module path or URL as an absolute file: URL string; throws UsageError when the file is missing. */
export function resolveModuleUrl(spec: string | UrlObject): string {
  let url: URL;
  if (spec instanceof URL) url = spec;
  else if (/^file:/i.test(spec)) url = new URL(spec);
  else url = pathToFileURL(isAbsolute(spec) ? spec : resolve(process.cwd(), spec));
  if (url.protocol !== 'file:') throw new UsageError(`objective module ${String(spec)} must be a file path or file: URL`);
  const path = fileURLToPath(url);
  if (!existsSync(path)) throw new UsageError(`objective module ${String(spec)} does not exist (looked for ${path}): give the path of a .mjs, .js or .ts file`);
  return url.href;
}

/**
 * Imports a fresh instance of the module for `key` (each prepared objective has its own module
 * state); `.ts` files go through tsx. Checks that it exports `objective`.
 */
export async function importModuleInstance(url: string, key: string): Promise<ObjectiveModule> {
  const instanceUrl = `${url}${url.includes('?') ? '&' : '?'}studyopt-instance=${encodeURIComponent(key)}`;
  let mod: Record<string, unknown>;
  if (TS_EXTENSIONS.test(new URL(url).pathname)) {
    const { tsImport } = await import('tsx/esm/api');
    mod = (await tsImport(instanceUrl, import.meta.url)) as Record<string, unknown>;
  } else {
    mod = (await import(instanceUrl)) as Record<string, unknown>;
  }
  // A CommonJS or transpiled module may put its exports on `default`.
  if (typeof mod.objective !== 'function' && mod.default && typeof (mod.default as Record<string, unknown>).objective === 'function') {
    mod = mod.default as Record<string, unknown>;
  }
  if (typeof mod.objective !== 'function') {
    throw new UsageError(`objective module ${url} must export a function \`objective(trial)\` (it exports: ${Object.keys(mod).join(', ') || 'nothing'})`);
  }
  return mod as unknown as ObjectiveModule;
}

let instanceCounter = 0;

/**
 * Imports the module in the main thread, runs `prepareShared(moduleOptions)` once, then
 * `setup(moduleOptions, { shared })` on the main thread's instance (so that `grid`, `space` and
 * `constraints` work here too), and returns what the pool needs to set up every worker alike.
 */
export async function prepareObjective(spec: string | UrlObject, moduleOptions: unknown = {}): Promise<PreparedObjective> {
  const url = resolveModuleUrl(spec);
  const key = `${process.pid}-${Date.now().toString(36)}-${++instanceCounter}`;
  const module = await importModuleInstance(url, key);
  const shared = module.prepareShared ? await module.prepareShared(moduleOptions) : undefined;
  if (module.setup) await module.setup(moduleOptions, { shared, isMainThread: true, threadId: 0 });
  const space = typeof module.space === 'function' ? module.space(moduleOptions) : module.space;
  return { module, context: { url, key, options: moduleOptions, shared }, space };
}

/** True for a PreparedObjective (as opposed to a module path or URL). */
export function isPrepared(x: unknown): x is PreparedObjective {
  return typeof x === 'object' && x !== null && 'context' in x && 'module' in x;
}
