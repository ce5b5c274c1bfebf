// The report's importance section: fANOVA and PED-ANOVA side by side in one grouped bar chart,
// the other sections ranked by fANOVA, and a parameter fANOVA leaves out named.
import { compile } from 'vega-lite';
import { describe, expect, it } from 'vitest';
import { categoricalDistribution, floatDistribution } from '../../src/distributions.js';
import { importanceSection } from '../../src/apps/report/importance.js';
import type { Observation } from '../../src/importance/observations.js';
import { Rng } from '../../src/rng.js';

describe('the report importance section', () => {
  it('shows both evaluators for every parameter, ranked by fANOVA', () => {
    const rng = new Rng(4);
    const obs: Observation[] = [];
    for (let i = 0; i < 200; i++) {
      const x = rng.random();
      const y = rng.random();
      const on = rng.int(0, 1);
      obs.push({ value: 5 * x + y, params: on ? { x, y, on, extra: rng.random() } : { x, y, on } });
    }
    const distributions = { x: floatDistribution(0, 1), y: floatDistribution(0, 1), on: categoricalDistribution([false, true]), extra: floatDistribution(0, 1) };
    const { section, ranked } = importanceSection(obs, distributions, 'minimize');
    expect(ranked.slice(0, 2)).toEqual(['x', 'y']);
    expect(ranked).toContain('extra');
    expect(section!.intro).toMatch(/leaves out extra/);
    const spec = section!.charts![0].spec as { data: { values: { param: string; evaluator: string; importance: number }[] }; encoding: { y: { sort: string[] } } };
    const rows = spec.data.values;
    expect(rows.filter((r) => r.evaluator === 'fANOVA').map((r) => r.param).sort()).toEqual(['on', 'x', 'y']);
    expect(rows.filter((r) => r.evaluator === 'PED-ANOVA').map((r) => r.param).sort()).toEqual(['extra', 'on', 'x', 'y']);
    expect(spec.encoding.y.sort).toEqual(ranked);
    // The spec is valid Vega-Lite: it compiles with no warning or error.
    const messages: string[] = [];
    const log = (...a: unknown[]) => void messages.push(a.join(' '));
    const logger = { warn: log, error: log, info() {}, debug() {}, level() { return logger; } };
    compile({ $schema: 'https://vega.github.io/schema/vega-lite/v6.json', ...section!.charts![0].spec } as never, { logger: logger as never });
    expect(messages).toEqual([]);
  });

  it('has no section with fewer than 4 trials', () => {
    const obs: Observation[] = [1, 2, 3].map((v) => ({ value: v, params: { x: v / 4 } }));
    const r = importanceSection(obs, { x: floatDistribution(0, 1) }, 'minimize');
    expect(r.section).toBeNull();
    expect(r.ranked).toEqual(['x']);
  });
});
