/**
 * Ctrl-C for long runs: the first SIGINT aborts the signal (executors stop dispatching and
 * record what is in flight); a second one exits at once with status 130.
 */
export interface InterruptHandle {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function installInterruptHandler(onFirst: () => void): InterruptHandle {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) {
      process.stderr.write('\ninterrupted again: quitting now\n');
      process.exit(130);
    }
    controller.abort();
    onFirst();
  };
  process.on('SIGINT', handler);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', handler) };
}
