/**
 * The writes of a batch of finished trials, merged into a few set-based statements for
 * PostgreSQL: one INSERT per table (all the batch's rows), one DELETE per table (all the batch's
 * trials), one UPDATE of the trials from a VALUES list. A server plans each statement it runs, and
 * the batch holds the writers' lock meanwhile: ~8 statements instead of ~4 per trial.
 *
 * The per-trial statements are the store's own (finish-record ops); any other shape runs as is.
 * Order: deletes first (a trial's old values go before its new ones come in), then inserts, then
 * updates, then the rest, in the order met.
 */

type Write = readonly [sql: string, args: readonly unknown[]];

const DELETE_BY_TRIAL = /^DELETE FROM (\w+) WHERE trial_id = \?$/;
const INSERT = /^INSERT INTO (\w+) \(([^)]*)\) VALUES ((?:\((?:\?, )*\?\)(?:, )?)+)( ON CONFLICT .*)?$/s;
const FINISH = 'UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ?';
const FINISH_WITH_START = 'UPDATE trials SET state = ?, datetime_start = ?, datetime_complete = ? WHERE trial_id = ?';

interface InsertGroup {
  head: string;
  tail: string;
  width: number;
  args: unknown[];
}

/** Merges `writes` into fewer statements (with `?` parameters, as they came). */
export function mergeWrites(writes: readonly Write[]): Write[] {
  const deletes = new Map<string, unknown[]>();
  const inserts = new Map<string, InsertGroup>();
  const finishes: (readonly unknown[])[] = [];
  const finishesWithStart: (readonly unknown[])[] = [];
  const rest: Write[] = [];
  for (const [sql, args] of writes) {
    const d = DELETE_BY_TRIAL.exec(sql);
    if (d) {
      const list = deletes.get(d[1]) ?? [];
      list.push(args[0]);
      deletes.set(d[1], list);
      continue;
    }
    const i = INSERT.exec(sql);
    if (i) {
      const width = (i[3].split(')')[0].match(/\?/g) ?? []).length;
      const key = `${i[1]}(${i[2]})${i[4] ?? ''}`;
      let g = inserts.get(key);
      if (!g) inserts.set(key, (g = { head: `INSERT INTO ${i[1]} (${i[2]}) VALUES `, tail: i[4] ?? '', width, args: [] }));
      g.args.push(...args);
      continue;
    }
    if (sql === FINISH) finishes.push(args);
    else if (sql === FINISH_WITH_START) finishesWithStart.push(args);
    else rest.push([sql, args]);
  }
  const out: Write[] = [];
  for (const [table, ids] of deletes) out.push([`DELETE FROM ${table} WHERE trial_id IN (${ids.map(() => '?').join(', ')})`, ids]);
  for (const g of inserts.values()) {
    const tuple = `(${Array(g.width).fill('?').join(', ')})`;
    out.push([`${g.head}${Array(g.args.length / g.width).fill(tuple).join(', ')}${g.tail}`, g.args]);
  }
  if (finishes.length > 0) {
    out.push([
      `UPDATE trials AS t SET state = CAST(v.state AS trialstate), datetime_complete = CAST(v.complete AS TIMESTAMP) FROM (VALUES ${finishes.map(() => '(?, ?, ?)').join(', ')}) AS v(state, complete, id) WHERE t.trial_id = v.id`,
      finishes.flat(),
    ]);
  }
  if (finishesWithStart.length > 0) {
    out.push([
      'UPDATE trials AS t SET state = CAST(v.state AS trialstate), datetime_start = CAST(v.start AS TIMESTAMP), datetime_complete = CAST(v.complete AS TIMESTAMP) ' +
        `FROM (VALUES ${finishesWithStart.map(() => '(?, ?, ?, ?)').join(', ')}) AS v(state, start, complete, id) WHERE t.trial_id = v.id`,
      finishesWithStart.flat(),
    ]);
  }
  out.push(...rest);
  return out;
}
