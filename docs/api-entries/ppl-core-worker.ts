/**
 * The main thread's side of inference in a worker: {@link runInWorker} runs a
 * task that a worker module serves with ppl-core's `serveWorker`, in a Web
 * Worker or a `worker_threads` worker alike, with progress reports, a way to
 * cancel, and the result as plain data (the repository's docs/browser.md has
 * the complete example). This entry imports no tfjs.
 *
 * @module ppl-core/worker
 */
export * from "ppl-core/worker";
