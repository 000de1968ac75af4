/**
 * The host's end: `runInWorker(worker, input)` runs a served task in a Web
 * Worker or a Node `worker_threads` worker, with the same API for both.
 */
import type { BackendInfo } from "../backend.js";
import { PPLConfigError, PPLError, PPLModelError, PPLNumericalError, PPLResourceError, PPLShapeError, PPLSupportError } from "../errors.js";
import { checkPlainData } from "./plain-data.js";
import { type RunMessage, type SentError, type WorkerProgress, type WorkerReply, isReply } from "./protocol.js";
import type { WorkerTask } from "./serve.js";

/** A browser `Worker` (what `runInWorker` needs of it). */
export interface WebWorkerLike {
  /** Sends a message to the worker. */
  postMessage(message: unknown): void;
  /** Listens for the worker's messages and errors. */
  addEventListener(type: "message" | "error" | "messageerror", listener: (event: { data?: unknown; message?: string }) => void): void;
  /** Stops listening. */
  removeEventListener(type: "message" | "error" | "messageerror", listener: (event: { data?: unknown; message?: string }) => void): void;
  /** Ends the worker at once. */
  terminate(): void;
}

/** A Node `worker_threads` `Worker` (what `runInWorker` needs of it). */
export interface NodeWorkerLike {
  /** Sends a message to the worker. */
  postMessage(message: unknown): void;
  /** Listens for the worker's messages. */
  on(event: "message", listener: (value: unknown) => void): unknown;
  /** Listens for an error thrown in the worker. */
  on(event: "error", listener: (err: Error) => void): unknown;
  /** Listens for the worker's end. */
  on(event: "exit", listener: (exitCode: number) => void): unknown;
  /** Stops listening for messages. */
  off(event: "message", listener: (value: unknown) => void): unknown;
  /** Stops listening for errors. */
  off(event: "error", listener: (err: Error) => void): unknown;
  /** Stops listening for the end. */
  off(event: "exit", listener: (exitCode: number) => void): unknown;
  /** Ends the worker at once. */
  terminate(): unknown;
}

/** A Web Worker or a Node worker, running a module that calls `serveWorker`. */
export type WorkerLike = WebWorkerLike | NodeWorkerLike;

/** The input type of a task served with `serveWorker`. */
export type TaskInput<T> = T extends WorkerTask<infer In, infer _Out, infer _P> ? In : never;
/** The result type of a task served with `serveWorker`. */
export type TaskResult<T> = T extends WorkerTask<infer _In, infer Out, infer _P> ? Awaited<Out> : never;
/** The progress report type of a task served with `serveWorker`. */
export type TaskProgress<T> = T extends WorkerTask<infer _In, infer _Out, infer P> ? P : never;

/** Options of {@link runInWorker}. */
export interface RunOptions<P> {
  /** Called with each progress report the task sends. */
  readonly onProgress?: (report: P) => void;
}

/** One job running in a worker. */
export interface WorkerJob<Out> {
  /** The task's result; rejects with the task's error (same PPL class, message and fields) or a PPLCancelledError. */
  readonly result: Promise<Out>;
  /** The backend the worker runs on, once `ready()` has finished there. */
  readonly backend: Promise<BackendInfo>;
  /**
   * Stops the job at once by terminating its worker (a task's synchronous
   * loop cannot be interrupted any other way); `result` rejects with a
   * PPLCancelledError. Start a new worker for the next job.
   */
  cancel(): void;
}

/** A job was cancelled with `cancel()`, or its worker ended before it finished. */
export class PPLCancelledError extends PPLError {}

const ERROR_CLASSES: Readonly<Record<string, new (message: string, fields: SentError) => PPLError>> = {
  PPLError, PPLShapeError, PPLSupportError, PPLModelError, PPLConfigError, PPLNumericalError, PPLResourceError, PPLCancelledError,
};

/** The worker's error rebuilt on this side: the same PPL class, message and fields; other errors keep name and message. */
function rebuild(sent: SentError): Error {
  const Cls = ERROR_CLASSES[sent.name];
  const err = Cls !== undefined ? new Cls(sent.message, sent) : Object.assign(new Error(sent.message), { name: sent.name });
  if (sent.stack !== undefined) err.stack = `${sent.stack}\n    (in the worker)`;
  return err;
}

function isNodeWorker(w: WorkerLike): w is NodeWorkerLike {
  return typeof (w as Partial<NodeWorkerLike>).on === "function";
}

/** Subscribes to the worker's messages and to its ending; returns the unsubscribe. */
function listen(worker: WorkerLike, onMessage: (m: unknown) => void, onFail: (why: string) => void): () => void {
  if (isNodeWorker(worker)) {
    const message = (m: unknown) => onMessage(m);
    const error = (e: Error) => onFail(`the worker failed: ${e.message}`);
    const exit = (code: number) => onFail(`the worker exited (code ${code}) before the job finished`);
    worker.on("message", message);
    worker.on("error", error);
    worker.on("exit", exit);
    return () => {
      worker.off("message", message);
      worker.off("error", error);
      worker.off("exit", exit);
    };
  }
  const message = (e: { data?: unknown }) => onMessage(e.data);
  const error = (e: { message?: string }) => onFail(`the worker failed: ${e.message ?? "its module did not load (check the worker's URL and the console)"}`);
  const messageerror = () => onFail("a message from the worker could not be read");
  worker.addEventListener("message", message);
  worker.addEventListener("error", error);
  worker.addEventListener("messageerror", messageerror);
  return () => {
    worker.removeEventListener("message", message);
    worker.removeEventListener("error", error);
    worker.removeEventListener("messageerror", messageerror);
  };
}

let nextId = 0;

/**
 * Runs the task served in `worker` on `input`: progress reports reach
 * `onProgress` while the task runs, and `result` resolves with what the task
 * returned, as plain data. The main thread only receives messages, so a page
 * stays responsive however long the fit. The same call works with a browser
 * `Worker` and a Node `worker_threads` `Worker`; a worker serves jobs one
 * after another until it is cancelled or terminated.
 *
 * @param worker a worker whose module calls `serveWorker`
 * @param input the task's input, plain data (numbers, strings, arrays, plain objects, typed arrays)
 * @param options `onProgress`: called with each report
 * @returns the running job: `result`, `backend` and `cancel()`
 * @throws {PPLConfigError} when `input` is not plain data (a tensor, say), naming where.
 * @example
 * ```ts
 * import { runInWorker } from "ppl-core/worker";
 * import type { fitTask } from "./fit.worker.js";
 *
 * const worker = new Worker(new URL("./fit.worker.js", import.meta.url), { type: "module" });
 * const job = runInWorker<typeof fitTask>(worker, { xs: [1.2, 0.8], steps: 500 }, {
 *   onProgress: ({ step, loss }) => console.log(step, loss),
 * });
 * cancelButton.onclick = () => job.cancel();
 * const { mu } = await job.result;
 * ```
 */
export function runInWorker<T extends WorkerTask<never, unknown, WorkerProgress>>(
  worker: WorkerLike,
  input: TaskInput<T>,
  options: RunOptions<TaskProgress<T>> = {},
): WorkerJob<TaskResult<T>> {
  checkPlainData(input, "the job's input");
  const id = nextId++;
  let settle: { resolve(v: TaskResult<T>): void; reject(e: Error): void } | undefined;
  let backendSettle: { resolve(v: BackendInfo): void; reject(e: Error): void } | undefined;
  const result = new Promise<TaskResult<T>>((resolve, reject) => { settle = { resolve, reject }; });
  const backend = new Promise<BackendInfo>((resolve, reject) => { backendSettle = { resolve, reject }; });
  // A caller that awaits only `result` must not see an unhandled rejection of `backend`.
  backend.catch(() => undefined);
  let done = false;
  const finish = (end: (s: NonNullable<typeof settle>) => void) => {
    if (done) return;
    done = true;
    unsubscribe();
    end(settle!);
  };
  const fail = (err: Error) => {
    backendSettle!.reject(err);
    finish((s) => s.reject(err));
  };
  const unsubscribe = listen(
    worker,
    (m) => {
      if (!isReply(m) || m.id !== id) return;
      const reply: WorkerReply = m;
      if (reply.type === "ppl:ready") backendSettle!.resolve(reply.backend);
      else if (reply.type === "ppl:progress") options.onProgress?.(reply.progress as TaskProgress<T>);
      else if (reply.type === "ppl:done") finish((s) => s.resolve(reply.result as TaskResult<T>));
      else fail(rebuild(reply.error));
    },
    (why) => fail(new PPLCancelledError(why, { expected: "the job to finish", actual: why })),
  );
  const run: RunMessage = { type: "ppl:run", id, input };
  worker.postMessage(run);
  return {
    result,
    backend,
    cancel() {
      if (done) return;
      fail(new PPLCancelledError("the job was cancelled (its worker was terminated)", { expected: "the job to finish", actual: "cancelled" }));
      void worker.terminate();
    },
  };
}
