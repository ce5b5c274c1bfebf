/**
 * `studyopt delete --study-name X --yes`: removes a study and all its trials from the file.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { UsageError } from '../../../errors.js';
import { type StorageArgs, openStorage, requireStudy, withStorage } from './storage-options.js';

interface DeleteArgs extends StorageArgs {
  studyName: string;
  yes: boolean;
}

const command: CommandModule<object, DeleteArgs> = {
  command: 'delete',
  describe: 'delete a study and all its trials (asks for --yes)',
  builder: (y: Argv) =>
    withStorage(y)
      .option('study-name', { type: 'string', demandOption: true, describe: 'the study' })
      .option('yes', { type: 'boolean', default: false, describe: 'confirm: the study cannot be recovered' }) as unknown as Argv<DeleteArgs>,
  handler: (argv: ArgumentsCamelCase<DeleteArgs>) => {
    // Check the name before asking for confirmation, so that a typo is reported as such.
    const reader = openStorage(argv.storage);
    let nTrials: number;
    try {
      nTrials = reader.getNTrials(requireStudy(reader, argv.studyName));
    } finally {
      reader.close();
    }
    if (!argv.yes) {
      throw new UsageError(`deleting study '${argv.studyName}' (${nTrials} trials) cannot be undone: add --yes to confirm`);
    }
    const storage = openStorage(argv.storage, { write: true });
    try {
      storage.deleteStudy(requireStudy(storage, argv.studyName));
    } finally {
      storage.close();
    }
    process.stdout.write(`deleted study '${argv.studyName}' (${nTrials} trials) from '${argv.storage}'\n`);
  },
};

export default command;
