/**
 * The in-memory storage: the library's default, and the reference that the storage contract
 * tests hold every other storage to. One process only; nothing survives the process.
 *
 * Trials are kept as immutable FrozenTrial records, replaced on every write, so that snapshots
 * handed out earlier never change under their readers.
 */
import { type Distribution, type ParamValue, toExternal } from '../distributions.js';
import { DuplicatedStudyError, TrialFinishedError, UsageError } from '../errors.js';
import { type FrozenTrial, type StudyDirection, type TrialState, TRIAL_STATES, bestOf, isFinished } from '../frozen-trial.js';
import type { CreateTrialOptions, CreateTrialResult, CreatedTrial, Storage, StudySummary, TrialTemplate } from './storage.js';
import { ClaimIndex, StudyView, stateMask } from './study-view.js';

interface StudyRecord {
  id: number;
  name: string;
  directions: StudyDirection[];
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  trials: FrozenTrial[];
  /**
   * Trials per state and the claim indexes, kept as every store keeps them (study-view.ts), so
   * that limits, counts and claims follow one set of rules.
   */
  view: StudyView;
  /** Indexes of WAITING trials, oldest first (so that starting one needs no scan). */
  waiting: number[];
}

type MutableTrial = { -readonly [K in keyof FrozenTrial]: FrozenTrial[K] };

/** The parts of a running trial that writes change, owned by the storage until the next read. */
interface Draft {
  params: Record<string, ParamValue>;
  distributions: Record<string, Distribution>;
  userAttrs: Record<string, unknown>;
  systemAttrs: Record<string, unknown>;
  intermediateValues: Map<number, number>;
}

export class InMemoryStorage implements Storage {
  private studies = new Map<number, StudyRecord>();
  private studyIdByName = new Map<string, number>();
  /** trial id -> [study id, index in study.trials] */
  private trialIndex = new Map<number, [number, number]>();
  private heartbeats = new Map<number, number>();
  /**
   * Writes to a running trial go to a draft; the next read of the trial turns the draft into a
   * new immutable record. So a trial that sets 18 attributes copies its records once, not 18 times.
   */
  private drafts = new Map<number, Draft>();
  private nextStudyId = 1;
  private nextTrialId = 1;

  createStudy(name: string, directions: readonly StudyDirection[]): number {
    if (this.studyIdByName.has(name)) throw new DuplicatedStudyError(`a study named '${name}' already exists: load it (loadIfExists) or choose another name`);
    const id = this.nextStudyId++;
    this.studies.set(id, { id, name, directions: [...directions], userAttrs: {}, systemAttrs: {}, trials: [], view: new StudyView(id), waiting: [] });
    this.studyIdByName.set(name, id);
    return id;
  }

  deleteStudy(studyId: number): void {
    const s = this.study(studyId);
    for (const t of s.trials) {
      this.trialIndex.delete(t.trialId);
      this.heartbeats.delete(t.trialId);
      this.drafts.delete(t.trialId);
    }
    this.studies.delete(studyId);
    this.studyIdByName.delete(s.name);
  }

  findStudyId(name: string): number | null {
    return this.studyIdByName.get(name) ?? null;
  }

  getStudyName(studyId: number): string {
    return this.study(studyId).name;
  }

  getStudyDirections(studyId: number): readonly StudyDirection[] {
    return [...this.study(studyId).directions];
  }

  getAllStudies(): StudySummary[] {
    return [...this.studies.values()].map((s) => {
      const counts = Object.fromEntries(TRIAL_STATES.map((st) => [st, 0])) as Record<TrialState, number>;
      let start: number | null = null;
      let last: number | null = null;
      for (const t of s.trials) {
        counts[t.state]++;
        for (const d of [t.datetimeStart, t.datetimeComplete]) {
          if (!d) continue;
          const ms = d.getTime();
          if (start === null || ms < start) start = ms;
          if (last === null || ms > last) last = ms;
        }
      }
      return {
        studyId: s.id,
        studyName: s.name,
        directions: [...s.directions],
        nTrials: s.trials.length,
        countsByState: counts,
        datetimeStart: start === null ? null : new Date(start),
        lastActivity: last === null ? null : new Date(last),
        userAttrs: { ...s.userAttrs },
        systemAttrs: { ...s.systemAttrs },
      };
    });
  }

  setStudyUserAttr(studyId: number, key: string, value: unknown): void {
    this.study(studyId).userAttrs[key] = clone(value);
  }

  setStudySystemAttr(studyId: number, key: string, value: unknown): void {
    this.study(studyId).systemAttrs[key] = clone(value);
  }

  getStudyUserAttrs(studyId: number): Record<string, unknown> {
    return { ...this.study(studyId).userAttrs };
  }

  getStudySystemAttrs(studyId: number): Record<string, unknown> {
    return { ...this.study(studyId).systemAttrs };
  }

  createTrial(studyId: number, template: TrialTemplate = {}, options: CreateTrialOptions = {}): CreateTrialResult {
    const s = this.study(studyId);
    if (options.limit && s.view.count(options.limit.states) >= options.limit.max) return { refused: 'limit' };
    let claimed: number | undefined;
    let index: ClaimIndex | undefined;
    if (options.claim) {
      index = this.claimIndex(s, options.claim.key);
      const value = s.view.findClaimable(index, options.claim.candidates, stateMask(options.claim.releaseStates), options.claim.maxClaims);
      if (value === null) return { refused: 'claim' };
      claimed = value;
    }
    const state = template.state ?? 'RUNNING';
    const params: Record<string, unknown> = {};
    const distributions: Record<string, Distribution> = {};
    for (const [name, p] of Object.entries(template.params ?? {})) {
      params[name] = p.internal;
      distributions[name] = p.distribution;
    }
    const systemAttrs = clone(template.systemAttrs ?? {}) as Record<string, unknown>;
    if (options.claim && claimed !== undefined) systemAttrs[options.claim.key] = claimed;
    const trialId = this.nextTrialId++;
    const now = new Date();
    const trial: FrozenTrial = {
      trialId,
      number: s.trials.length,
      state,
      values: template.values ? [...template.values] : null,
      datetimeStart: template.datetimeStart !== undefined ? template.datetimeStart : state === 'WAITING' ? null : now,
      datetimeComplete: template.datetimeComplete !== undefined ? template.datetimeComplete : isFinished(state) ? now : null,
      params: externalParams(params as Record<string, number>, distributions),
      distributions,
      userAttrs: clone(template.userAttrs ?? {}) as Record<string, unknown>,
      systemAttrs,
      intermediateValues: new Map(template.intermediateValues ?? []),
    };
    s.trials.push(trial);
    s.view.add(trialId, state);
    if (state === 'WAITING') s.waiting.push(trial.number);
    this.trialIndex.set(trialId, [studyId, trial.number]);
    // Every claim index of the study sees the new trial's value of its key (the claim's, or a template's).
    for (const [key, ix] of s.view.claims) {
      const v = systemAttrs[key];
      if (typeof v !== 'number') continue;
      if (isFinished(state)) ix.addFinished(v, state);
      else if (ix === index) ix.take(trialId, v);
      else ix.addOpen(trialId, v);
    }
    return claimed === undefined ? { trialId, number: trial.number } : { trialId, number: trial.number, claimed };
  }

  popWaitingTrial(studyId: number): CreatedTrial | null {
    const s = this.study(studyId);
    while (s.waiting.length > 0) {
      const t = s.trials[s.waiting.shift()!];
      if (t.state !== 'WAITING') continue;
      this.replace(t.trialId, { state: 'RUNNING', datetimeStart: new Date() });
      return { trialId: t.trialId, number: t.number };
    }
    return null;
  }

  setTrialParam(trialId: number, name: string, internal: number, distribution: Distribution): void {
    const d = this.draft(trialId);
    d.distributions[name] = distribution;
    d.params[name] = toExternal(distribution, internal);
  }

  setTrialStateValues(trialId: number, state: TrialState, values?: readonly number[] | null): boolean {
    const t = this.getTrial(trialId);
    if (isFinished(t.state)) return false;
    if (state === 'WAITING') throw new UsageError('a trial cannot be moved back to WAITING');
    const patch: Partial<MutableTrial> = { state };
    if (values !== undefined) patch.values = values ? [...values] : null;
    if (isFinished(state)) patch.datetimeComplete = new Date();
    if (state === 'RUNNING' && !t.datetimeStart) patch.datetimeStart = new Date();
    this.replace(trialId, patch);
    if (isFinished(state)) this.heartbeats.delete(trialId);
    return true;
  }

  setTrialIntermediateValue(trialId: number, step: number, value: number): void {
    this.draft(trialId).intermediateValues.set(step, value);
  }

  setTrialUserAttr(trialId: number, key: string, value: unknown): void {
    this.draft(trialId).userAttrs[key] = clone(value);
  }

  setTrialSystemAttr(trialId: number, key: string, value: unknown): void {
    this.draft(trialId).systemAttrs[key] = clone(value);
  }

  getTrial(trialId: number): FrozenTrial {
    const loc = this.trialIndex.get(trialId);
    if (!loc) throw new UsageError(`no trial with id ${trialId}`);
    if (this.drafts.has(trialId)) this.commitDraft(trialId);
    return this.study(loc[0]).trials[loc[1]];
  }

  getAllTrials(studyId: number, states?: readonly TrialState[]): readonly FrozenTrial[] {
    for (const id of this.drafts.keys()) if (this.trialIndex.get(id)![0] === studyId) this.commitDraft(id);
    const trials = this.study(studyId).trials;
    if (!states) return trials.slice();
    const wanted = new Set(states);
    return trials.filter((t) => wanted.has(t.state));
  }

  getNTrials(studyId: number, states?: readonly TrialState[]): number {
    const s = this.study(studyId);
    return s.view.count(states);
  }

  getBestTrial(studyId: number): FrozenTrial | null {
    const s = this.study(studyId);
    return bestOf(this.getAllTrials(studyId, ['COMPLETE']), s.directions[0]);
  }

  recordHeartbeat(trialIds: readonly number[]): void {
    const now = Date.now();
    for (const id of trialIds) this.heartbeats.set(id, now);
  }

  failStaleTrials(studyId: number, graceSeconds: number): number[] {
    const s = this.study(studyId);
    const cutoff = Date.now() - graceSeconds * 1000;
    const failed: number[] = [];
    for (const t of s.trials) {
      const beat = this.heartbeats.get(t.trialId);
      if (t.state === 'RUNNING' && beat !== undefined && beat < cutoff) {
        this.setTrialSystemAttr(t.trialId, 'fail_reason', `heartbeat older than ${graceSeconds} s: the process running it stopped`);
        this.setTrialStateValues(t.trialId, 'FAIL');
        failed.push(t.trialId);
      }
    }
    return failed;
  }

  close(): void {
    // Nothing to release.
  }

  // ----- helpers -----

  private study(studyId: number): StudyRecord {
    const s = this.studies.get(studyId);
    if (!s) throw new UsageError(`no study with id ${studyId}`);
    return s;
  }

  private runningTrial(trialId: number): FrozenTrial {
    const t = this.getTrial(trialId);
    if (isFinished(t.state)) throw new TrialFinishedError(`trial ${t.number} is already ${t.state}: it cannot be changed`);
    return t;
  }

  /** The draft of a running trial, started from its current record. */
  private draft(trialId: number): Draft {
    let d = this.drafts.get(trialId);
    if (!d) {
      const t = this.runningTrial(trialId);
      d = {
        params: { ...t.params },
        distributions: { ...t.distributions },
        userAttrs: { ...t.userAttrs },
        systemAttrs: { ...t.systemAttrs },
        intermediateValues: new Map(t.intermediateValues),
      };
      this.drafts.set(trialId, d);
    }
    return d;
  }

  /** Turns a draft into the trial's new immutable record (the draft's objects are handed over). */
  private commitDraft(trialId: number): void {
    const d = this.drafts.get(trialId)!;
    this.drafts.delete(trialId);
    this.replace(trialId, d);
  }

  private replace(trialId: number, patch: Partial<MutableTrial>): void {
    if (this.drafts.has(trialId)) this.commitDraft(trialId);
    const [studyId, index] = this.trialIndex.get(trialId)!;
    const s = this.study(studyId);
    const before = s.trials[index];
    // The view follows state changes (its claim indexes release a value whose holder failed).
    if (patch.state !== undefined && patch.state !== before.state) s.view.transition(trialId, patch.state);
    s.trials[index] = { ...before, ...patch };
  }

  /** The study's claim index for `key`, built from its trials the first time it is asked for. */
  private claimIndex(s: StudyRecord, key: string): ClaimIndex {
    let index = s.view.claims.get(key);
    if (!index) {
      index = new ClaimIndex();
      for (const t of s.trials) {
        const v = t.systemAttrs[key];
        if (typeof v !== 'number') continue;
        if (isFinished(t.state)) index.addFinished(v, t.state);
        else index.addOpen(t.trialId, v);
      }
      s.view.claims.set(key, index);
    }
    return index;
  }
}

function externalParams(internals: Record<string, number>, distributions: Record<string, Distribution>): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, v] of Object.entries(internals)) out[name] = toExternal(distributions[name], v);
  return out;
}

function clone<T>(value: T): T {
  // Primitives need no copy (and most attributes are numbers).
  return value === null || typeof value !== 'object' ? value : (structuredClone(value) as T);
}
