/**
 * The default sampler: the core (src/) never imports samplers/, so a study given no sampler asks
 * src/sampler.ts for the default, which samplers/index.ts sets to the automatic sampler (samplers/auto/) when it is loaded (the
 * package entry, the CLI and test/setup.ts load it).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { defaultSampler, setDefaultSamplerFactory } from '../../src/sampler.js';
import { createStudy, loadStudy } from '../../src/study.js';
import { RandomSampler } from '../../samplers/random.js';
import { createSampler } from '../../samplers/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the default sampler', () => {
  afterEach(() => setDefaultSamplerFactory(() => createSampler('auto')));

  it('is the automatic sampler once samplers/index.ts is loaded', () => {
    expect(createStudy().sampler.name).toBe('auto');
    expect(defaultSampler().name).toBe('auto');
  });

  it('is whatever setDefaultSamplerFactory says', () => {
    setDefaultSamplerFactory(() => new RandomSampler({ seed: 3 }));
    expect(createStudy().sampler.name).toBe('random');
  });

  it('without one, a study can be created and read, and its first ask names the fix', () => {
    setDefaultSamplerFactory(null);
    const study = createStudy({ studyName: 'no-sampler' });
    expect(study.trials).toEqual([]);
    const again = loadStudy({ studyName: 'no-sampler', storage: study.storage });
    expect(again.studyName).toBe('no-sampler');
    expect(() => study.ask()).toThrow(UsageError);
    expect(() => study.ask()).toThrow(/no default sampler is set: pass one .*or import 'studyopt' \(or samplers\/index\.js\)/);
    // A sampler given to the study needs no default.
    const given = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
    expect(given.ask().suggestFloat('x', 0, 1)).toBeGreaterThanOrEqual(0);
  });

  it('is not set by the core alone, and is set by the package entry (built)', () => {
    const run = (code: string) => spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    const core = run(`
      import { createStudy } from './dist/src/study.js';
      try { createStudy().ask(); console.log('asked'); } catch (err) { console.log(err.name); }
    `);
    expect(core.stderr).toBe('');
    expect(core.stdout.trim()).toBe('UsageError');
    const entry = run(`
      import { createStudy } from 'studyopt';
      const study = createStudy();
      study.ask();
      console.log(study.sampler.name);
    `);
    expect(entry.stderr).toBe('');
    expect(entry.stdout.trim()).toBe('auto');
  });
});
