/**
 * The report names the sampler that proposed each trial of an automatic-sampler study (the
 * `studyopt:sampler` attribute), and leaves the table out for a study run with a named sampler.
 */
import { describe, expect, it } from 'vitest';
import { AutoSampler, GP_TRIALS } from '../../samplers/auto/index.js';
import { RandomSampler } from '../../samplers/random.js';
import { formatNumber } from '../../src/apps/cli/commands/storage-options.js';
import { renderStudyReport } from '../../src/apps/report/report.js';
import { samplersUsedHtml } from '../../src/apps/report/samplers-used.js';
import { type Study, createStudy } from '../../src/study.js';

function run(study: Study, n: number): void {
  for (let i = 0; i < n; i++) {
    const t = study.ask();
    study.tell(t, (t.suggestFloat('x', -2, 2) - 1) ** 2 + t.suggestFloat('y', 0, 1));
  }
}

describe('report: samplers used', () => {
  it('counts the trials each sampler proposed, with their numbers and best value', () => {
    const study = createStudy({ sampler: new AutoSampler({ seed: 1 }) });
    // The GP's trials (enqueued: no model fits), then one by multivariate TPE.
    for (let i = 0; i < GP_TRIALS; i++) study.enqueueTrial({ x: (i % 10) / 5 - 1, y: Math.floor(i / 10) / 10 });
    run(study, GP_TRIALS + 1);
    const values = (by: string) => study.trials.filter((x) => x.systemAttrs['studyopt:sampler'] === by).map((x) => x.values![0]);
    const html = samplersUsedHtml(study.trials, 'minimize');
    expect(html).toContain('<h3>Samplers</h3>');
    expect(html).toContain(`<td class="text">gp</td><td>${GP_TRIALS}</td><td class="text">#0–#${GP_TRIALS - 1}</td><td>${formatNumber(Math.min(...values('gp')))}</td>`);
    expect(html).toContain(`<td class="text">tpe-multivariate</td><td>1</td><td class="text">#${GP_TRIALS}–#${GP_TRIALS}</td><td>${formatNumber(values('tpe-multivariate')[0])}</td>`);
    const page = renderStudyReport({ storage: study.storage, studyId: study.studyId });
    expect(page).toContain('<h3>Samplers</h3>');
  });

  it('is left out when no trial names its sampler', () => {
    const study = createStudy({ sampler: new RandomSampler({ seed: 2 }) });
    run(study, 5);
    expect(samplersUsedHtml(study.trials, 'minimize')).toBe('');
    expect(renderStudyReport({ storage: study.storage, studyId: study.studyId })).not.toContain('<h3>Samplers</h3>');
  });
});
