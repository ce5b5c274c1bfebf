/**
 * The worker-pool executor: objective modules run on worker threads, sampling stays in the main
 * thread. See docs/parallel.md.
 */
export {
  type PoolOptions,
  type PoolOptimizeOptions,
  type PoolRunOptions,
  type PoolRunSettings,
  type PoolStudy,
  WorkerPool,
  optimizePool,
  runStudiesOnPool,
  workerFileUrl,
} from './pool.js';
export {
  type ObjectiveModule,
  type PreparedObjective,
  type SetupContext,
  importModuleInstance,
  isPrepared,
  prepareObjective,
  resolveModuleUrl,
} from './objective-module.js';
export { PoolProgress } from './pool-progress.js';
export { BatchSizer } from './batching.js';
