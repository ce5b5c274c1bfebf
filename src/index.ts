/**
 * studyopt's public API.
 */
// The samplers by name, and TPE as the default sampler of a study that is given none: the core
// (src/) never imports samplers/, so the package entry loads them (src/sampler.ts).
import '../samplers/index.js';
export { createStudy, loadStudy, Study, bestOf } from './study.js';
export type { CreateStudyOptions, LoadStudyOptions, TellOptions, AskOptions, ConstraintsFunc, ParamRecord } from './study.js';
export type { Trial } from './trial.js';
export { StudyTrial } from './trial.js';
export type { Objective, ObjectiveResult, OptimizeOptions, OptimizeSummary, Callback, StopReason, RunBounds } from './optimize.js';
export type { FrozenTrial, TrialState, StudyDirection } from './frozen-trial.js';
export type { TextStream, AbortSignalLike, WorkerResourceLimits, WorkerThread, EventLoopUtilization, UrlObject } from './host-types.js';
export { FailureBudgetExceeded, DEFAULT_FAILURE_BUDGET, type FailureBudgetOptions } from './failure-budget.js';
export { FixedTrial } from './fixed-trial.js';
export { STUDY_DATA_KEY, dataOfTrial, dataVersionsOf, recordStudyData, type DataFingerprint, type DataVersion, type RecordDataOptions } from './study-data.js';
export { isFeasible, trialValue } from './frozen-trial.js';
export * from './distributions.js';
export { UsageError, TrialPruned, DuplicatedStudyError, TrialFinishedError } from './errors.js';
export { type Sampler, type SamplerFactory, type DecidedParams, defaultSampler, setDefaultSamplerFactory } from './sampler.js';
export { makeFolds, parseFolds, dayCount, type DayRange, type Fold, type FoldPlan, type FoldSpec } from './validation/folds.js';
export { sharpeRatio, skewness, kurtosis, returnMoments, sharpeFromMeanAndVariance, type ReturnMoments } from './validation/sharpe-ratio.js';
export { probabilisticSharpeRatio, probabilisticSharpeZ, expectedMaxSharpe, deflatedSharpeRatio, effectiveNumberOfTrials, averagePairwiseCorrelation, type DeflatedSharpe, type DeflatedSharpeInput } from './validation/deflated-sharpe.js';
export { probabilityOfBacktestOverfitting, type BacktestOverfitting, type BacktestOverfittingOptions, type PerformanceDegradation, type PerformanceMeasure, type ReturnMatrix } from './validation/backtest-overfitting.js';
export { ndtr as normalCdf, ndtri as normalQuantile } from './normal-distribution.js';
export { robustRanking, type RobustRanking, type RobustRankingOptions, type RobustEntry, type RobustMethod } from './validation/robust-pick.js';
export { walkForwardEfficiency, overallEfficiency, type MetricScaling, type PeriodPerformance } from './validation/walk-forward-efficiency.js';
export type { Pruner } from './pruners/pruner.js';
export { NopPruner } from './pruners/pruner.js';
export { MedianPruner } from './pruners/median.js';
export { WilcoxonPruner, type WilcoxonPrunerOptions } from './pruners/wilcoxon.js';
export { wilcoxonSignedRank, type SignedRankResult, type SignedRankOptions, type Alternative } from './pruners/wilcoxon-signed-rank.js';
export { SuccessiveHalvingPruner, type SuccessiveHalvingPrunerOptions } from './pruners/successive-halving.js';
export { HyperbandPruner, type HyperbandPrunerOptions } from './pruners/hyperband.js';
export { createPruner, PRUNER_NAMES, type PrunerName } from './pruners/by-name.js';
export type { Storage, StudySummary, TrialTemplate } from './storage/storage.js';
export { InMemoryStorage } from './storage/in-memory.js';
export { SqliteStorage, type SqliteStorageOptions } from './storage/sqlite/index.js';
export { resolveStorage, type StorageOpenOptions } from './storage/resolve.js';
export { Rng } from './rng.js';
export { paretoFront, dominates } from './pareto.js';
export { pickFromFront, parsePickRule, frontByFirstObjective, ruleText, objectiveNames, PICK_SYNTAX, PICK_OPERATORS, type PickRule, type PickCondition, type PickOperator, type PickObjectives, type ParetoPick } from './pareto-pick.js';
export { RandomSampler } from '../samplers/random.js';
export { GridSampler, CartesianGrid, enumerateSpace } from '../samplers/grid.js';
export type { Grid, GridSpec, DeclaredSpace, ConditionalParam, SpaceConstraint } from './search-space.js';
export { declareSpace, spaceConstraints, satisfiesSpace, redrawOf, redrawSeed, SPACE_CONSTRAINTS, MAX_REDRAWS, SAMPLER_REDRAWS, REDRAW_KEY, type PointOf, type SpaceDeclaration } from './space-constraints.js';
export { createSampler, registerSampler, samplerNames } from '../samplers/index.js';
export { CmaEsSampler, type CmaEsSamplerOptions } from '../samplers/cmaes/index.js';
export { DESampler, type DESamplerOptions } from '../samplers/de/index.js';
export { QMCSampler, type QMCSamplerOptions } from '../samplers/qmc/index.js';
export { NSGAIISampler, NSGAIIISampler, type NSGAIISamplerOptions, type NSGAIIISamplerOptions, type CrossoverName } from '../samplers/nsga/index.js';
export { hypervolume, hypervolumeHistory, defaultReferencePoint, type HypervolumeStep } from './hypervolume.js';
export * from './executor/index.js';
export { TPESampler, type TPESamplerOptions } from '../samplers/tpe/index.js';
export { GPSampler, type GPSamplerOptions } from '../samplers/gp/index.js';
