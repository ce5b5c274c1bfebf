/**
 * `studyopt verify [--study-name X] [--trial N]`: run a stored IB trial (the best by default)
 * again with everything its study recorded and compare it with what was stored: every metric,
 * and the trade list trade by trade where the study recorded one (the best trial of each run).
 * Exit status 0 when it reproduces, 1 when it does not; then the output says what changed since
 * the trial ran: the data, the symbol's definition, or the studyopt version (studies/ib/audit.ts).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import { verifyIbTrial } from '../../../../studies/ib/audit.js';
import { ibSettingsOf } from '../../../../studies/ib/study-settings.js';
import { ibBasketSettingsOf } from '../../../../studies/ib/basket-settings.js';
import { STUDY_NAME_OPTION, type StorageArgs, openStorage, resolveStudy, trialOrBest, withStorage } from './storage-options.js';

interface VerifyArgs extends StorageArgs {
  studyName?: string;
  trial?: number;
  json: boolean;
}

/** Exit status of a trial that does not reproduce. */
export const EXIT_NOT_REPRODUCED = 1;

const command: CommandModule<object, VerifyArgs> = {
  command: 'verify',
  describe: 'run a stored IB trial again (the best by default) and check it reproduces, trade by trade; say what changed if not',
  builder: (y: Argv) =>
    withStorage(y)
      .option('study-name', STUDY_NAME_OPTION)
      .option('trial', { type: 'number', describe: 'the trial number (default: the best trial)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the verification as JSON' }) as unknown as Argv<VerifyArgs>,
  handler: (argv: ArgumentsCamelCase<VerifyArgs>) => {
    const storage = openStorage(argv.storage);
    try {
      const { id, name } = resolveStudy(storage, argv.studyName);
      const systemAttrs = storage.getStudySystemAttrs(id);
      const basket = ibBasketSettingsOf(systemAttrs);
      if (basket) {
        throw new UsageError(
          `study '${name}' is a basket of ${basket.symbols.join(', ')}: check a trial symbol by symbol with studyopt backtest --storage ${argv.storage} --study-name ${name} --trial N --symbol ${basket.symbols[0]} (it says whether every metric reproduced; verify's trade-by-trade record is kept for one-symbol studies)`,
        );
      }
      if (!ibSettingsOf(systemAttrs)) throw new UsageError(`study '${name}' is not an IB study: verify re-runs IB trials (its objective records what it ran on)`);
      const trial = trialOrBest(storage, id, name, argv.trial);
      if (trial.state !== 'COMPLETE') throw new UsageError(`trial ${trial.number} of study '${name}' is ${trial.state}, not COMPLETE: it stored no metrics to compare`);
      const v = verifyIbTrial(systemAttrs, trial);
      if (argv.json) {
        const { rerun: _rerun, ...rest } = v;
        process.stdout.write(`${JSON.stringify({ study: name, ...rest })}\n`);
      } else {
        const lines = [`trial ${v.trial} of study '${name}', run again with everything it ran with:`];
        lines.push(v.metricDifferences.length === 0 ? `  metrics: all ${Object.keys(v.rerun.metrics).length} equal the stored ones` : `  metrics DIFFER: ${v.metricDifferences.join('; ')}`);
        if (v.trades === null) lines.push('  trades: no trade list was recorded for this trial (each run records its best trial\'s); metrics compared only');
        else lines.push(v.trades.difference === null ? `  trades: all ${v.trades.count} equal the recorded ones, trade by trade` : `  trades DIFFER: ${v.trades.difference}`);
        lines.push(v.reproduced ? 'reproduced' : 'NOT reproduced');
        if (v.changes.length > 0) lines.push(`${v.reproduced ? 'note' : 'what changed since the trial ran'}:`, ...v.changes.map((c) => `  - ${c}`));
        else if (!v.reproduced) lines.push('nothing recorded changed (data, symbol definition, studyopt version): please report this as a bug');
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      if (!v.reproduced) process.exitCode = EXIT_NOT_REPRODUCED;
    } finally {
      storage.close();
    }
  },
};

export default command;
