/**
 * The dashboard's one handle on the studies: opened read-only on first use, and opened again
 * when what it points at changes under it. A study file deleted makes every read fail with a
 * message saying so (the pages show it and keep asking); a file replaced (another inode: a copy
 * moved over it, a study file restored) is reopened; a PostgreSQL server gone fails the read,
 * and the next one connects again. The dashboard never writes: the store is opened read-only,
 * so a bug here cannot touch a study.
 */
import { existsSync, statSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import { isPostgresUrl } from '../../storage/postgres/url.js';
import { sqlitePathOf } from '../../storage/resolve.js';
import type { Storage } from '../../storage/storage.js';
import { openStorage } from '../cli/commands/storage-options.js';

/** The studies cannot be read right now (file gone, server down); the page says so and retries. */
export class StoreUnavailableError extends Error {}

export class DashboardStore {
  private storage: Storage | null = null;
  /** The SQLite file's device and inode when it was opened: another means the file was replaced. */
  private fileIdentity: string | null = null;
  private readonly path: string | null;

  /** `cacheKiB`: an SQLite file's page cache (the store's default when not given). */
  constructor(
    readonly location: string,
    private readonly cacheKiB?: number,
  ) {
    this.path = isPostgresUrl(location) ? null : (sqlitePathOf(location) ?? location);
  }

  /** How many times a store was opened: what was read from an earlier one (cursors) no longer holds. */
  private opened = 0;

  /**
   * Runs `fn` on the open store, with the number of the opening (see `opened`). Errors other than
   * bad input close it, so that the next read opens it afresh.
   */
  read<T>(fn: (storage: Storage, opening: number) => T): T {
    if (this.path !== null) {
      if (!existsSync(this.path)) {
        this.close();
        throw new StoreUnavailableError(`the study file '${this.path}' is gone (deleted or moved); the dashboard will show it again when it is back`);
      }
      const st = statSync(this.path);
      const identity = `${st.dev}:${st.ino}`;
      if (this.fileIdentity !== identity) {
        this.close();
        this.fileIdentity = identity;
      }
    }
    try {
      if (this.storage === null) {
        this.storage = openStorage(this.location, this.cacheKiB !== undefined ? { cacheKiB: this.cacheKiB } : {});
        this.opened++;
      }
      return fn(this.storage, this.opened);
    } catch (err) {
      if (err instanceof UsageError) throw err;
      this.close();
      throw new StoreUnavailableError(`the studies at '${this.path ?? this.storage?.where ?? 'the database'}' cannot be read: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  close(): void {
    try {
      this.storage?.close();
    } catch {
      // Closing a store whose file or server is gone: nothing left to release.
    }
    this.storage = null;
  }
}
