// `studyopt bench` searches the standard grid by default and `studyopt optimize` the expanded one:
// bench says which grid it searched (text and JSON) and that optimize's default differs, and both
// commands' --help name their defaults. Spawns the built CLI (npm test builds first).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { benchSearchSpace, ibSpec } from '../../src/apps/bench/objectives.js';
import { benchSections } from '../../src/apps/report/bench-charts.js';

const BIN = fileURLToPath(new URL('../../dist/src/apps/cli/main.js', import.meta.url));
const DIR = mkdtempSync(join(tmpdir(), 'studyopt-bench-grid-'));

function studyopt(...args: string[]) {
  // The built-in data is generated on first use: keep it out of the user's cache.
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1', STUDYOPT_DATA_DIR: join(DIR, 'data') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('the grid bench searches, beside the one optimize searches', () => {
  it('a tiny IB bench prints the standard grid it searched and that optimize searches the expanded grid; the JSON has it too', () => {
    const json = join(DIR, 'bench.json');
    // Two trading days keep the 25,920-point ground truth to seconds.
    const r = studyopt('bench', '--samplers', 'random', '--trials', '5', '--seeds', '1', '--workers', '1', '--from', '2025-06-02', '--to', '2025-06-03', '--min-trades', '0', '--storage', join(DIR, 'b.db'), '--json', json, '--quiet');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      "searched: the standard IB grid (25,920 points, bench's default); studyopt optimize searches the expanded grid (1,478,400 points) by default, so its results come from a larger space: bench --grid expanded compares the samplers on that space",
    );
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.searched).toMatchObject({ grid: 'standard', points: 25_920, benchDefaultGrid: 'standard', optimizeDefaultGrid: 'expanded', optimizeDefaultPoints: 1_478_400, sameAsOptimizeDefault: false });
    expect(r.stdout).toContain(result.searched.note);
    // The report's bench section (studyopt report --bench) says it too.
    expect(benchSections(result)[0].intro).toContain("Searched: the standard IB grid (25,920 points, bench's default); studyopt optimize searches the expanded grid");
  }, 180_000);

  it('a bench of the expanded grid says it is the space optimize searches by default', () => {
    const s = benchSearchSpace(ibSpec({ grid: 'expanded' }));
    expect(s).toMatchObject({ grid: 'expanded', points: 1_478_400, sameAsOptimizeDefault: true });
    expect(s.note).toBe("searched: the expanded IB grid (1,478,400 points), the space studyopt optimize searches by default (bench's default is --grid standard)");
  });

  it('bench --help and optimize --help name their grid defaults', () => {
    const bench = studyopt('bench', '--help').stdout.replace(/\s+/g, ' ');
    expect(bench).toMatch(/--grid IB: the grid that is the ground truth and the space every sampler searches \(default standard, 25,920 points; studyopt optimize searches the expanded grid by default, 1,478,400 points: --grid expanded benches that space/);
    const optimize = studyopt('optimize', '--help').stdout.replace(/\s+/g, ' ');
    expect(optimize).toMatch(/--grid IB: [^\n]*\(default expanded; studyopt bench's default is standard\)/);
  });
});
