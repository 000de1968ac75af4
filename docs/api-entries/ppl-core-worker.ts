/**
 * Inference off the main thread: a worker module serves a task with
 * {@link serveWorker}; a page or a Node program runs it with
 * {@link runInWorker}, in a Web Worker or a `worker_threads` worker alike,
 * and gets progress reports, a way to cancel, and the result as plain data
 * (the repository's docs/browser.md has the complete example).
 *
 * @module ppl-core/worker
 */
export * from "ppl-core/worker";
