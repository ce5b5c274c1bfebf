/**
 * The dashboard's watches (study-watch.ts), one per study it has been asked about, shared by the
 * API and the live feed. A watch looks at its study's changes at most every `minLookMs`, so that
 * many pages and requests cost one read of what changed; a study made again under the same name
 * gets a new watch; a watch nobody asked for in IDLE_MS is dropped.
 */
import type { Storage } from '../../storage/storage.js';
import { StudyWatch } from './study-watch.js';

const IDLE_MS = 10 * 60_000;

interface Entry {
  watch: StudyWatch;
  lastAsked: number;
}

export class StudyWatches {
  private readonly entries = new Map<string, Entry>();
  private opening = 0;

  constructor(private readonly minLookMs: number) {}

  /**
   * The up-to-date watch of the study named `name`, or null when there is no such study.
   * `opening` numbers the store's opening (study-store.ts): a store opened afresh (another
   * file, a server back) drops every watch, whose cursors were of the old one.
   */
  watchOf(storage: Storage, opening: number, name: string, now = Date.now()): StudyWatch | null {
    if (opening !== this.opening) {
      this.entries.clear();
      this.opening = opening;
    }
    this.dropIdle(now);
    const studyId = storage.findStudyId(name);
    if (studyId === null) {
      this.entries.delete(name);
      return null;
    }
    let entry = this.entries.get(name);
    if (!entry || entry.watch.studyId !== studyId) {
      entry = { watch: new StudyWatch(storage, studyId, now), lastAsked: now };
      this.entries.set(name, entry);
    } else if (now - entry.watch.lastLook >= this.minLookMs || entry.watch.behind) {
      entry.watch.look(storage, now);
    }
    entry.lastAsked = now;
    return entry.watch;
  }

  private dropIdle(now: number): void {
    for (const [name, e] of this.entries) if (now - e.lastAsked > IDLE_MS) this.entries.delete(name);
  }
}
