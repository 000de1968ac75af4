/**
 * Inference off the main thread: a worker module serves a task with
 * {@link serveWorker}, the page or program runs it with {@link runInWorker},
 * in a Web Worker or a Node `worker_threads` worker alike (docs/browser.md).
 *
 * @module ppl-core/worker
 */
export { serveWorker, type ServeOptions, type TaskFunction, type WorkerContext, type WorkerTask } from "./serve.js";
export {
  PPLCancelledError, runInWorker, type NodeWorkerLike, type RunOptions, type TaskInput, type TaskProgress, type TaskResult,
  type WebWorkerLike, type WorkerJob, type WorkerLike,
} from "./host.js";
export type { WorkerProgress } from "./protocol.js";
