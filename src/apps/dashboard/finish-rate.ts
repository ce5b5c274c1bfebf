/**
 * Trials finished per second, per study, from the counts the dashboard reads each time the
 * studies page refreshes: the change over the last minute of samples. Nothing is stored in the
 * study for it, and no trial is read.
 */
const WINDOW_MS = 60_000;

interface Sample {
  readonly at: number;
  readonly finished: number;
}

export class FinishRate {
  private readonly samples = new Map<number, Sample[]>();

  /** Records `finished` for the study at `at` (epoch ms); returns trials per second over the window, null until two samples exist. */
  record(studyId: number, finished: number, at: number): number | null {
    const list = this.samples.get(studyId) ?? [];
    // A count that fell (the study was deleted and made again) starts the window afresh.
    if (list.length > 0 && finished < list[list.length - 1].finished) list.length = 0;
    list.push({ at, finished });
    while (list.length > 2 && at - list[1].at >= WINDOW_MS) list.shift();
    this.samples.set(studyId, list);
    const first = list[0];
    const seconds = (at - first.at) / 1000;
    return list.length < 2 || seconds <= 0 ? null : (finished - first.finished) / seconds;
  }

  /** Forgets studies that no longer exist. */
  keepOnly(studyIds: ReadonlySet<number>): void {
    for (const id of this.samples.keys()) if (!studyIds.has(id)) this.samples.delete(id);
  }
}
