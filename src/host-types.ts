/**
 * The host objects studyopt's public API accepts or returns, as small structural types of its
 * own: the shipped declarations then need neither @types/node nor lib.dom, and an app
 * type-checks against them whatever its `lib` and `types`. Node's objects (`process.stderr`, an
 * AbortController's signal, a worker thread) satisfy them; the implementation still uses Node.
 */

/** Where progress text goes, e.g. `process.stderr`. */
export interface TextStream {
  write(text: string): unknown;
  /** True on a terminal: progress is drawn only there. */
  readonly isTTY?: boolean;
  /** The terminal's width in characters. */
  readonly columns?: number;
}

/** What stops a run when aborted, e.g. `new AbortController().signal`. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** Per-worker V8 limits in MB, as Node's `worker_threads` ResourceLimits. */
export interface WorkerResourceLimits {
  maxOldGenerationSizeMb?: number;
  maxYoungGenerationSizeMb?: number;
  codeRangeSizeMb?: number;
  stackSizeMb?: number;
}

/** How busy an event loop was, as Node's `performance.eventLoopUtilization()` returns it. */
export interface EventLoopUtilization {
  idle: number;
  active: number;
  utilization: number;
}

/** One of a pool's worker threads (a Node `Worker`): its id and its event loop's utilization. */
export interface WorkerThread {
  readonly threadId: number;
  readonly performance: {
    eventLoopUtilization(utilization1?: EventLoopUtilization, utilization2?: EventLoopUtilization): EventLoopUtilization;
  };
}

/**
 * A URL object (`new URL('file:///…')`) where the app's types declare the global URL class
 * (lib.dom or @types/node, as Node apps have); `never` with neither, leaving only a string.
 */
export type UrlObject = typeof globalThis extends { URL: { prototype: infer U } } ? U : never;
