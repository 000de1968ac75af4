/**
 * The messages a host and a ppl worker exchange. Both ends are in this
 * folder; users never see these shapes, only `runInWorker` and `serveWorker`.
 */
import type { BackendInfo } from "../backend.js";
import type { PPLErrorFields } from "../errors.js";

/** What a task reports while it runs: at least the step and the loss; a task may add fields. */
export interface WorkerProgress {
  /** The step just taken, counting from 0. */
  readonly step: number;
  /** The loss at that step. */
  readonly loss: number;
}

/** Host → worker: run one job. */
export interface RunMessage {
  readonly type: "ppl:run";
  readonly id: number;
  readonly input: unknown;
}

/** An error as it crosses the boundary: its class name, message and PPL fields. */
export interface SentError extends PPLErrorFields {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

/** Worker → host. */
export type WorkerReply =
  | { readonly type: "ppl:ready"; readonly id: number; readonly backend: BackendInfo }
  | { readonly type: "ppl:progress"; readonly id: number; readonly progress: unknown }
  | { readonly type: "ppl:done"; readonly id: number; readonly result: unknown }
  | { readonly type: "ppl:error"; readonly id: number; readonly error: SentError };

/** Whether `m` is one of the worker's replies (a worker may post other messages of its own). */
export function isReply(m: unknown): m is WorkerReply {
  return typeof m === "object" && m !== null && typeof (m as { type?: unknown }).type === "string" &&
    (m as { type: string }).type.startsWith("ppl:") && typeof (m as { id?: unknown }).id === "number";
}
