/**
 * Ctrl-C for long runs: the first SIGINT aborts the signal (executors stop dispatching and
 * record what is in flight); the second calls `onSecond` (stop the running trials now, record
 * them as failed) when given, or else exits at once with status 130.
 */
export interface InterruptHandle {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function installInterruptHandler(onFirst: () => void, onSecond?: () => void): InterruptHandle {
  const controller = new AbortController();
  let count = 0;
  const handler = (): void => {
    count++;
    if (count === 1) {
      controller.abort();
      onFirst();
    } else if (count === 2 && onSecond) {
      onSecond();
    } else {
      process.stderr.write('\ninterrupted again: quitting now\n');
      process.exit(130);
    }
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', handler) };
}
