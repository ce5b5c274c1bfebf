/**
 * `studyopt studies`: the studies in a file, with direction, trial counts by state, best value
 * and last activity.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { type StorageArgs, formatDate, openStorage, toJson, toTable, whereOf, withStorage } from './storage-options.js';

interface StudiesArgs extends StorageArgs {
  json: boolean;
}

const command: CommandModule<object, StudiesArgs> = {
  command: 'studies',
  describe: 'list the studies in a study file: direction, trials by state, best value, last activity',
  builder: (y: Argv) => withStorage(y).option('json', { type: 'boolean', default: false, describe: 'print JSON' }) as unknown as Argv<StudiesArgs>,
  handler: (argv: ArgumentsCamelCase<StudiesArgs>) => {
    const storage = openStorage(argv.storage);
    try {
      const rows = storage.getAllStudies().map((s) => {
        const best = s.directions.length === 1 ? storage.getBestTrial(s.studyId) : null;
        return {
          name: s.studyName,
          direction: s.directions.join(','),
          trials: s.nTrials,
          complete: s.countsByState.COMPLETE,
          pruned: s.countsByState.PRUNED,
          fail: s.countsByState.FAIL,
          running: s.countsByState.RUNNING,
          waiting: s.countsByState.WAITING,
          best: best?.values?.[0] ?? null,
          last_activity: formatDate(s.lastActivity),
        };
      });
      if (argv.json) process.stdout.write(`${toJson(rows)}\n`);
      else if (rows.length === 0) process.stdout.write(`no studies in '${whereOf(storage)}'\n`);
      else process.stdout.write(toTable(Object.keys(rows[0]), rows));
    } finally {
      storage.close();
    }
  },
};

export default command;
