/**
 * A PostgreSQL server restart in the middle of a run (a server upgrade, a failover, a network
 * cut): the store connects again, runs the interrupted transaction again, and the run goes on;
 * nothing committed is lost and the numbers stay dense. A server of this file's own: restarting
 * the run's shared one would cut the other files' connections.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PostgresStorage } from '../../src/storage/postgres/postgres-storage.js';
import { createStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import { type PostgresServer, startPostgres } from '../helpers/postgres.js';

const sharedUrl = inject('postgresUrl');
const skipReason = inject('postgresSkipReason');

describe.skipIf(sharedUrl === null)(`a PostgreSQL server restart${sharedUrl === null ? ` (skipped: ${skipReason})` : ''}`, () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('does not stop a run: the store reconnects, and every trial is kept once', async () => {
    const storage = new PostgresStorage(server.url);
    const study = createStudy({ storage, studyName: 'restart', sampler: new RandomSampler({ seed: 1 }) });
    let restarted: Promise<void> | null = null;
    const summary = await study.optimize(
      (t) => {
        const x = t.suggestFloat('x', -1, 1);
        const end = performance.now() + 1;
        while (performance.now() < end) {
          // 1 ms a trial, so that the restart lands in the middle of the run
        }
        return x * x;
      },
      {
        nTrials: 1500,
        callbacks: [
          (_s, t) => {
            if (t.number === 300 && restarted === null) restarted = server.restart();
          },
        ],
      },
    );
    await restarted;
    expect(restarted).not.toBeNull();
    expect(summary.nTrials).toBe(1500);
    expect(storage.reconnects).toBeGreaterThanOrEqual(1); // the restart did cut the run's connection
    storage.close();
    const again = new PostgresStorage(server.url);
    const id = again.findStudyId('restart')!;
    const trials = again.getAllTrials(id);
    expect(trials.map((t) => t.number)).toEqual(trials.map((_, i) => i));
    expect(trials.filter((t) => t.state === 'COMPLETE').length).toBeGreaterThanOrEqual(1500 - 2);
    expect(trials.filter((t) => t.state === 'RUNNING' || t.state === 'WAITING')).toEqual([]);
    again.close();
  }, 120_000);
});
