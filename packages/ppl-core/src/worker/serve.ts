/**
 * The worker's end: `serveWorker(task)` in a worker module answers the host's
 * `runInWorker` calls, one job at a time, in a Web Worker or a Node
 * `worker_threads` worker alike. Exported from ppl-core's main entry (the
 * worker runs ppl); the host's side is "ppl-core/worker", which has no tfjs.
 */
import { type BackendInfo, type ReadyOptions, ready } from "../backend.js";
import { PPLConfigError, PPLError } from "../errors.js";
import { checkPlainData } from "./plain-data.js";
import { type RunMessage, type SentError, type WorkerProgress, type WorkerReply } from "./protocol.js";

/** What a task sees besides its input. */
export interface WorkerContext<P extends WorkerProgress = WorkerProgress> {
  /** Sends a progress report to the host's `onProgress` (plain data only). */
  progress(report: P): void;
  /** The backend `ready()` chose in this worker. */
  readonly backend: BackendInfo;
}

/** A task: plain data in, plain data (or a promise of it) out, progress reported through the context. */
export type TaskFunction<In, Out, P extends WorkerProgress = WorkerProgress> = (input: In, context: WorkerContext<P>) => Out | Promise<Out>;

/**
 * What `serveWorker` returns: only a type, for the host. Export it from the
 * worker module and name it with `import type` on the host side, so
 * `runInWorker` knows the task's input, result and progress types.
 */
export interface WorkerTask<In, Out, P extends WorkerProgress = WorkerProgress> {
  /** The task function, as served. */
  readonly run: TaskFunction<In, Out, P>;
}

/** Options of {@link serveWorker}. */
export interface ServeOptions {
  /** Passed to `ready()` before the first job (e.g. `{ wasmPaths: "/wasm/" }`). */
  readonly ready?: ReadyOptions;
}

/** How the worker talks to its host: a Web Worker's global scope or Node's `parentPort`. */
interface HostPort {
  post(message: WorkerReply): void;
  listen(handler: (message: unknown) => void): void;
}

/** A variable, so that bundlers leave Node's module out of a browser worker. */
const NODE_WORKER_THREADS: string = "node:worker_threads";

interface NodeParentPort {
  postMessage(message: unknown): void;
  on(event: "message", handler: (message: unknown) => void): unknown;
}

async function hostPort(): Promise<HostPort> {
  const g = globalThis as unknown as {
    WorkerGlobalScope?: unknown;
    postMessage?: (message: unknown) => void;
    addEventListener?: (type: "message", handler: (event: { data: unknown }) => void) => void;
  };
  if (g.WorkerGlobalScope !== undefined && typeof g.postMessage === "function" && typeof g.addEventListener === "function") {
    const post = g.postMessage.bind(globalThis);
    const add = g.addEventListener.bind(globalThis);
    return { post, listen: (handler) => add("message", (event) => handler(event.data)) };
  }
  let parentPort: NodeParentPort | null = null;
  try {
    ({ parentPort } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ NODE_WORKER_THREADS)) as { parentPort: NodeParentPort | null });
  } catch {
    parentPort = null;
  }
  if (parentPort === null) {
    throw new PPLConfigError(
      "serveWorker: this module is not running in a worker; load it with `new Worker(url, { type: \"module\" })` in a browser or `new Worker(url)` from node:worker_threads, and call runInWorker on that worker",
      { expected: "a Web Worker or a worker_threads worker", actual: "the main thread" },
    );
  }
  const port = parentPort;
  return { post: (m) => port.postMessage(m), listen: (handler) => port.on("message", handler) };
}

/** An error as plain data, keeping a PPL error's class name and fields. */
function sendable(err: unknown): SentError {
  if (err instanceof PPLError) {
    return {
      name: err.name, message: err.message, ...(err.stack === undefined ? {} : { stack: err.stack }),
      ...(err.site === undefined ? {} : { site: err.site }), ...(err.plate === undefined ? {} : { plate: err.plate }),
      ...(err.expected === undefined ? {} : { expected: err.expected }), ...(err.actual === undefined ? {} : { actual: err.actual }),
    };
  }
  if (err instanceof Error) return { name: err.name, message: err.message, ...(err.stack === undefined ? {} : { stack: err.stack }) };
  return { name: "Error", message: String(err) };
}

function isRun(m: unknown): m is RunMessage {
  return typeof m === "object" && m !== null && (m as { type?: unknown }).type === "ppl:run" && typeof (m as { id?: unknown }).id === "number";
}

/**
 * Serves `task` to the host: each `runInWorker` call runs it once on its
 * input, after `ready()`; reports go to the host's `onProgress`, and the
 * result (or the error, with its PPL class and fields) goes back as plain
 * data. Jobs run one after another, in the order they arrive.
 *
 * @param task the function to run: plain data in, plain data out
 * @param options `ready`: the options for `ready()` in this worker
 * @returns a handle whose only use is its type, for `runInWorker` on the host
 * @example
 * ```ts
 * // fit.worker.ts
 * import { serveWorker } from "ppl-core";
 * export const fitTask = serveWorker(async (input: { xs: number[]; steps: number }, ctx) => {
 *   // ... build the model and SVI, then for each step: ctx.progress({ step, loss })
 *   return { mu: 0 };
 * });
 * ```
 */
export function serveWorker<In, Out, P extends WorkerProgress = WorkerProgress>(
  task: TaskFunction<In, Out, P>,
  options: ServeOptions = {},
): WorkerTask<In, Out, P> {
  void hostPort().then((port) => {
    let queue: Promise<void> = Promise.resolve();
    port.listen((message) => {
      if (!isRun(message)) return;
      queue = queue.then(() => runJob(port, message, task, options));
    });
  });
  return { run: task };
}

async function runJob<In, Out, P extends WorkerProgress>(port: HostPort, message: RunMessage, task: TaskFunction<In, Out, P>, options: ServeOptions): Promise<void> {
  const { id } = message;
  try {
    const backend = await ready(options.ready);
    port.post({ type: "ppl:ready", id, backend });
    const context: WorkerContext<P> = {
      backend,
      progress(report) {
        checkPlainData(report, "a progress report");
        port.post({ type: "ppl:progress", id, progress: report });
      },
    };
    const result = await task(message.input as In, context);
    checkPlainData(result, "the task's result");
    port.post({ type: "ppl:done", id, result });
  } catch (err) {
    port.post({ type: "ppl:error", id, error: sendable(err) });
  }
}
