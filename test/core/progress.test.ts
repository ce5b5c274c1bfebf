import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProgressLine, formatDuration } from '../../src/progress.js';
import { createStudy } from '../../src/study.js';

function fakeTerminal(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, cb) { chunks.push(String(chunk)); cb(); } }) as unknown as NodeJS.WriteStream;
  (stream as { isTTY: boolean }).isTTY = isTTY;
  return { stream, text: () => chunks.join('') };
}

describe('progress line', () => {
  it('shows trials done, rate, best so far and ETA on a terminal', () => {
    const study = createStudy({ direction: 'maximize' });
    const term = fakeTerminal(true);
    const line = new ProgressLine(study, 10, term.stream);
    for (const v of [1, 5, 3]) line.update(study.tell(study.ask(), v));
    line.finish();
    expect(term.text()).toMatch(/trials 3\/10 \| [\d.]+\/s \| best 5 \(#1\) \| ETA \d+s/);
  });

  it('shows failed trials as they grow, and a target counts finished trials only', () => {
    const study = createStudy({ direction: 'maximize' });
    const term = fakeTerminal(true);
    const line = new ProgressLine(study, 10, term.stream, 4); // a target of 10, 4 finished before
    line.update(study.tell(study.ask(), 2));
    for (let i = 0; i < 3; i++) line.update(study.tell(study.ask(), null, { state: 'FAIL', failReason: 'boom' }));
    line.finish();
    expect(term.text()).toMatch(/trials 5\/10 \| [^\n]* \| 3 failed \(3 in a row\)/);
  });

  it('draws nothing when the output is not a terminal', () => {
    const study = createStudy();
    const term = fakeTerminal(false);
    const line = new ProgressLine(study, 10, term.stream);
    line.update(study.tell(study.ask(), 1));
    line.finish();
    expect(term.text()).toBe('');
  });

  it('formats durations for people', () => {
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(7260)).toBe('2h01m');
  });
});
