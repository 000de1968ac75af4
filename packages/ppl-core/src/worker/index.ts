/**
 * The main thread's side of running inference in a worker: {@link runInWorker}
 * runs a task that a worker module serves with ppl-core's `serveWorker`, in a
 * Web Worker or a Node `worker_threads` worker alike (docs/browser.md). This
 * entry imports no tfjs, so a page's main bundle stays small.
 *
 * @module ppl-core/worker
 */
export {
  PPLCancelledError, runInWorker, type NodeWorkerLike, type RunOptions, type TaskInput, type TaskProgress, type TaskResult,
  type WebWorkerLike, type WorkerJob, type WorkerLike,
} from "./host.js";
export type { WorkerProgress } from "./protocol.js";
