/**
 * Helpers shared by the population samplers (CMA-ES, DE): a JSON state kept in study system
 * attributes in chunks, and seeds derived from a few integers.
 *
 * The state is written as chunks of at most 2,045 characters (Optuna's `_cmaes.py` splits its
 * pickled optimizer the same way, for RDB storages with bounded attribute columns) under
 * `<key>:<generation mod 2>:<j>`, then a small header `<key>` = { generation, parity, chunks }.
 * Writing the chunks before the header, into the slot the previous generation does not use, means
 * a reader that snapshots the attributes sees a complete state; it checks the generation inside
 * the JSON against the header and reads again if a writer two generations ahead got in between.
 */
import type { Study } from '../../src/study.js';

const CHUNK = 2045;

interface Header {
  generation: number;
  parity: number;
  chunks: number;
}

export function saveChunkedState(study: Study, key: string, generation: number, state: unknown): void {
  const json = JSON.stringify(state);
  const parity = generation % 2;
  const chunks = Math.ceil(json.length / CHUNK);
  for (let j = 0; j < chunks; j++) study.storage.setStudySystemAttr(study.studyId, `${key}:${parity}:${j}`, json.slice(j * CHUNK, (j + 1) * CHUNK));
  study.storage.setStudySystemAttr(study.studyId, key, { generation, parity, chunks } satisfies Header);
}

/** The generation of the stored state, or null when none is stored (cheap: reads the header only). */
export function storedGeneration(study: Study, key: string): number | null {
  const h = study.storage.getStudySystemAttrs(study.studyId)[key] as Header | undefined;
  return h && typeof h === 'object' ? h.generation : null;
}

/** The stored state (its JSON must carry `generation`), or null when none is stored. */
export function loadChunkedState<T extends { generation: number }>(study: Study, key: string): T | null {
  for (let attempt = 0; attempt < 5; attempt++) {
    const attrs = study.storage.getStudySystemAttrs(study.studyId);
    const h = attrs[key] as Header | undefined;
    if (!h || typeof h !== 'object') return null;
    let json = '';
    for (let j = 0; j < h.chunks; j++) json += (attrs[`${key}:${h.parity}:${j}`] as string | undefined) ?? '';
    try {
      const state = JSON.parse(json) as T;
      if (state.generation === h.generation) return state;
    } catch {
      // A writer was between its chunks and its header: read again.
    }
  }
  return null;
}

/** A 32-bit hash of a few integers (a murmur3-style mix), for per-slot and per-generation seeds. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    let k = (p >>> 0) ^ Math.floor(p / 2 ** 32);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
