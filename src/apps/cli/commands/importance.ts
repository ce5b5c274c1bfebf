/**
 * `studyopt importance [--study-name X] [--evaluator fanova|ped-anova] [--objective-index N]
 * [--seed S] [--max-trials N] [--json]`: how much each parameter matters to a stored study's
 * objective (src/importance/). fANOVA (the default) says which share of the objective's variance
 * over the whole search space each parameter explains on its own; PED-ANOVA how strongly the best
 * 10% of trials prefer particular values of it. Both read the COMPLETE, feasible trials.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import type { ParamImportance } from '../../../importance/evaluator.js';
import { FanovaEvaluator, type FanovaImportance } from '../../../importance/fanova-evaluator.js';
import { observationsOf } from '../../../importance/observations.js';
import { IMPORTANCE_EVALUATOR_NAMES, createImportanceEvaluator, paramImportances } from '../../../importance/param-importances.js';
import type { PedAnovaImportance } from '../../../importance/ped-anova.js';
import { STUDY_NAME_OPTION, type StorageArgs, metricNames, openStorage, resolveStudy, toJson, toTable, withStorage } from './storage-options.js';

/** fANOVA fits on at most this many trials by default: a random subsample of a larger study. */
const DEFAULT_MAX_TRIALS = 20_000;

interface ImportanceArgs extends StorageArgs {
  studyName?: string;
  evaluator: string;
  objectiveIndex: number;
  seed: number;
  maxTrials: number;
  json: boolean;
}

const command: CommandModule<object, ImportanceArgs> = {
  command: 'importance',
  describe: 'how much each parameter matters to a study objective (fANOVA or PED-ANOVA)',
  builder: (y: Argv) =>
    withStorage(y)
      .option('study-name', STUDY_NAME_OPTION)
      .option('evaluator', {
        type: 'string',
        default: 'fanova',
        describe: `${IMPORTANCE_EVALUATOR_NAMES.join(' or ')}: fanova, the share of the objective's variance each parameter explains alone (random forest); ped-anova, how strongly the top 10% of trials prefer particular values`,
      })
      .option('objective-index', { type: 'number', default: 0, describe: 'which objective of a multi-objective study, from 0' })
      .option('seed', { type: 'number', default: 0, describe: "fANOVA's random forest seed (the same seed, the same importances)" })
      .option('max-trials', {
        type: 'number',
        default: DEFAULT_MAX_TRIALS,
        describe: 'fANOVA fits on a random subsample of at most this many trials (0: all of them)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .check((argv) => {
        if (!(IMPORTANCE_EVALUATOR_NAMES as readonly string[]).includes(argv.evaluator)) createImportanceEvaluator(argv.evaluator);
        const objectiveIndex = argv.objectiveIndex as number;
        const maxTrials = argv.maxTrials as number;
        if (!(Number.isInteger(objectiveIndex) && objectiveIndex >= 0)) throw new UsageError(`--objective-index must be a whole number >= 0, but got ${objectiveIndex}`);
        if (!Number.isInteger(argv.seed)) throw new UsageError(`--seed must be a whole number, but got ${argv.seed}`);
        if (!(Number.isInteger(maxTrials) && (maxTrials === 0 || maxTrials >= 2))) {
          throw new UsageError(`--max-trials must be a whole number >= 2, or 0 for all trials, but got ${maxTrials}`);
        }
        return true;
      }) as unknown as Argv<ImportanceArgs>,
  handler: (argv: ArgumentsCamelCase<ImportanceArgs>) => {
    const storage = openStorage(argv.storage);
    try {
      const { id, name } = resolveStudy(storage, argv.studyName);
      const directions = storage.getStudyDirections(id);
      const index = argv.objectiveIndex;
      if (index >= directions.length) {
        throw new UsageError(
          `study '${name}' has ${directions.length} objective${directions.length === 1 ? '' : 's'}: --objective-index must be ${directions.length === 1 ? '0' : `0 to ${directions.length - 1}`}, but got ${index}`,
        );
      }
      const names = metricNames(storage.getStudySystemAttrs(id), directions.length);
      const objective = names ? names[index] : `objective ${index}`;
      const trials = storage.getAllTrials(id, ['COMPLETE']);
      const { observations, distributions } = observationsOf(trials, index);
      if (observations.length < 2) {
        throw new UsageError(
          `study '${name}' has ${observations.length} complete trial${observations.length === 1 ? '' : 's'} with a finite ${objective}; importances need at least 2: run more trials first (studyopt optimize --study-name ${name})`,
        );
      }
      const maxObservations = argv.maxTrials === 0 ? undefined : argv.maxTrials;
      const evaluator = argv.evaluator === 'fanova' ? new FanovaEvaluator({ seed: argv.seed, maxObservations }) : createImportanceEvaluator(argv.evaluator);
      const importances = paramImportances(trials, { evaluator, objectiveIndex: index, direction: directions[index] });
      const judged = new Set(importances.map((p) => p.name));
      const leftOut = Object.keys(distributions).filter((p) => !judged.has(p));
      const sampled = argv.evaluator === 'fanova' && maxObservations !== undefined && observations.length > maxObservations ? maxObservations : null;
      if (argv.json) {
        process.stdout.write(
          `${toJson({
            study: name,
            evaluator: argv.evaluator,
            objectiveIndex: index,
            objective: names ? names[index] : null,
            direction: directions[index],
            trials: observations.length,
            ...(argv.evaluator === 'fanova' ? { seed: argv.seed, fittedOn: sampled ?? observations.length } : {}),
            importances: importances.map(jsonEntry),
            leftOut,
          })}\n`,
        );
        return;
      }
      const method = argv.evaluator === 'fanova' ? `fANOVA (64 trees, seed ${argv.seed})` : 'PED-ANOVA (top 10% of trials)';
      const lines = [`study '${name}': ${observations.length} complete trials, ${objective} (${directions[index]}); ${method}`];
      if (sampled) lines.push(`fitted on a random ${sampled} of the ${observations.length} trials (--max-trials 0 for all)`);
      lines.push('');
      const rows = importances.map((p) => ({ parameter: p.name, importance: `${(100 * p.importance).toFixed(1)}%`.padStart(6), '': bar(p.importance) }));
      lines.push(toTable(['parameter', 'importance', ''], rows).trimEnd());
      if (leftOut.length) lines.push('', `not judged by fANOVA (set in some trials only): ${leftOut.join(', ')}; try --evaluator ped-anova`);
      if (argv.evaluator === 'fanova' && importances.every((p) => (p as FanovaImportance).fraction === 0)) {
        lines.push('', 'the fitted forest is flat (the objective does not vary): the shares are equal by convention');
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      storage.close();
    }
  },
};

export default command;

function jsonEntry(p: ParamImportance): Record<string, unknown> {
  const extra = p as Partial<FanovaImportance & PedAnovaImportance>;
  return {
    name: p.name,
    importance: p.importance,
    ...(extra.fraction !== undefined ? { fraction: extra.fraction, std: extra.std } : {}),
    ...(extra.divergence !== undefined ? { divergence: extra.divergence } : {}),
  };
}

/** A bar of up to 30 characters, in eighths of a character. */
function bar(share: number): string {
  const eighths = Math.round(Math.max(0, Math.min(1, share)) * 30 * 8);
  return '█'.repeat(Math.floor(eighths / 8)) + (eighths % 8 ? '▏▎▍▌▋▊▉'[(eighths % 8) - 1] : '');
}
