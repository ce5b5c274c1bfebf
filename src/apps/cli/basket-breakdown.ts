/**
 * A basket trial's per-symbol breakdown as text (studies/ib/basket.ts stores each symbol's
 * metrics with the trial): one row per metric, one column per symbol, and the basket's aggregate.
 */
import { BASKET_METRICS_PREFIX, BREAKDOWN_METRICS, basketMetricsOf } from '../../../studies/ib/basket.js';
import { exactText } from './param-lines.js';

/** Lines of the breakdown, indented; none when the trial is not a basket trial. */
export function basketBreakdownLines(userAttrs: Readonly<Record<string, unknown>>, indent = '  '): string[] {
  const members = basketMetricsOf(userAttrs);
  if (members.length === 0) return [];
  const cell = (v: unknown): string => (typeof v === 'number' ? exactText(Number(v.toFixed(4))) : '—');
  const columns = [...members.map((m) => m.symbol), 'basket'];
  const rows = BREAKDOWN_METRICS.map((key) => [key, ...members.map((m) => cell(m.metrics[key])), cell(userAttrs[key])]);
  const widths = [Math.max(6, ...rows.map((r) => r[0].length)), ...columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i + 1].length)))];
  const line = (cells: string[]) => indent + cells.map((c, i) => (i === 0 ? c.padEnd(widths[0]) : c.padStart(widths[i]))).join('  ');
  return [`${indent}per symbol (the basket column: each metric aggregated as the value is):`, line(['metric', ...columns]), ...rows.map(line)];
}

/** Whether a user attribute is a basket member's metrics (shown by the breakdown, not one by one). */
export function isBasketAttr(key: string): boolean {
  return key.startsWith(BASKET_METRICS_PREFIX);
}
