/**
 * The PostgreSQL store's merging of a batch's writes into set-based statements: rows of one table
 * in one INSERT, deletes first (a trial's old values go before its new ones), finishes from one
 * VALUES list, unknown shapes kept as they are.
 */
import { describe, expect, it } from 'vitest';
import { mergeWrites } from '../../src/storage/postgres/merge-writes.js';

describe('mergeWrites', () => {
  it('merges per-trial writes into one statement per table and kind, deletes first', () => {
    const merged = mergeWrites([
      ['INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, ?, ?, ?)', [1, 0, 0.5, 'FINITE']],
      ['DELETE FROM trial_values WHERE trial_id = ?', [2]],
      ['INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, ?, ?, ?)', [2, 0, null, 'INF_POS']],
      ['INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?, ?, ?, ?), (?, ?, ?, ?)', [1, 'x', 0.1, '{}', 1, 'y', 0.2, '{}']],
      ['UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ?', ['COMPLETE', '2026-01-01 00:00:00.000000', 1]],
      ['UPDATE trials SET state = ?, datetime_start = ?, datetime_complete = ? WHERE trial_id = ?', ['FAIL', 's', 'c', 2]],
      ['DELETE FROM studyopt_trial_owners WHERE trial_id = ?', [1]],
      ['DELETE FROM studyopt_trial_owners WHERE trial_id = ?', [2]],
      ['INSERT INTO trial_user_attributes (trial_id, "key", value_json) VALUES (?, ?, ?) ON CONFLICT (trial_id, "key") DO UPDATE SET value_json = excluded.value_json', [1, 'k', '1']],
      ['SELECT 1', []],
    ]);
    expect(merged.map(([sql]) => sql.split(' ').slice(0, 3).join(' '))).toEqual([
      'DELETE FROM trial_values',
      'DELETE FROM studyopt_trial_owners',
      'INSERT INTO trial_values',
      'INSERT INTO trial_params',
      'INSERT INTO trial_user_attributes',
      'UPDATE trials AS',
      'UPDATE trials AS',
      'SELECT 1',
    ]);
    expect(merged[0]).toEqual(['DELETE FROM trial_values WHERE trial_id IN (?)', [2]]);
    expect(merged[1]).toEqual(['DELETE FROM studyopt_trial_owners WHERE trial_id IN (?, ?)', [1, 2]]);
    expect(merged[2]).toEqual(['INSERT INTO trial_values (trial_id, objective, value, value_type) VALUES (?, ?, ?, ?), (?, ?, ?, ?)', [1, 0, 0.5, 'FINITE', 2, 0, null, 'INF_POS']]);
    expect(merged[3][1]).toEqual([1, 'x', 0.1, '{}', 1, 'y', 0.2, '{}']);
    expect(merged[4][0]).toMatch(/VALUES \(\?, \?, \?\) ON CONFLICT \(trial_id, "key"\) DO UPDATE/);
    expect(merged[5]).toEqual([
      'UPDATE trials AS t SET state = CAST(v.state AS trialstate), datetime_complete = CAST(v.complete AS TIMESTAMP) FROM (VALUES (?, ?, ?)) AS v(state, complete, id) WHERE t.trial_id = v.id',
      ['COMPLETE', '2026-01-01 00:00:00.000000', 1],
    ]);
    expect(merged[6][1]).toEqual(['FAIL', 's', 'c', 2]);
  });
});
