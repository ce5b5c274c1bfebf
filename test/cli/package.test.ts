/**
 * The package as another project sees it: `import { createStudy } from 'studyopt'` through the
 * `exports` map of package.json, with type declarations beside the JavaScript.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the studyopt package', () => {
  it('resolves by name and runs a study', () => {
    const code = `
      import { createStudy, RandomSampler } from 'studyopt';
      const study = createStudy({ sampler: new RandomSampler({ seed: 1 }) });
      await study.optimize((t) => (t.suggestFloat('x', -1, 1)) ** 2, { nTrials: 50 });
      console.log(JSON.stringify({ n: study.trials.length, best: study.bestValue }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout);
    expect(out.n).toBe(50);
    expect(out.best).toBeLessThan(0.05);
  });

  it('exports the storage contract suite as studyopt/testing, for other backends to run', () => {
    const code = `
      import { storageContract } from 'studyopt/testing';
      import { InMemoryStorage } from 'studyopt';
      const names = [];
      const api = { describe: (n, f) => { names.push(n); f(); }, it: (n) => names.push(n), expect: () => ({}), beforeEach() {}, afterEach() {} };
      storageContract(api, { name: 'X', open: () => new InMemoryStorage() });
      console.log(JSON.stringify(names));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const names = JSON.parse(r.stdout) as string[];
    expect(names[0]).toBe('storage contract: X');
    expect(names.length).toBeGreaterThan(10);
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
    expect(existsSync(`${ROOT}${pkg.exports['./testing'].types}`)).toBe(true);
  });

  it('ships type declarations for every export path and a bin', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
    expect(pkg.type).toBe('module');
    expect(existsSync(`${ROOT}${pkg.exports['.'].types}`)).toBe(true);
    expect(existsSync(`${ROOT}${pkg.bin.studyopt}`)).toBe(true);
    expect(readFileSync(`${ROOT}${pkg.bin.studyopt}`, 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });
});
