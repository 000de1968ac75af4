/**
 * The recorder's check of a custom op's gradient function (recorder.ts): it
 * must use only the op's inputs, its value, what it saved and dy, since a
 * replay's backward pass runs the gradient function the new call's forward
 * function makes, with that call's closure. Where the recorded call runs
 * under a gradient tape that will run the op's gradient in this call's
 * backward pass (SVI's step: an op a param reaches), the check watches that
 * run instead of running the gradient function a second time at record time
 * (hmm.py model_6: 62 log-matmul gradients, about a tenth of its compile).
 * Until every such check has run the program is not replayed: a program
 * whose check found a closure capture is refused, and one whose left checks
 * never ran (a tape that did not reach the op) is recorded again with the
 * gradients run at record time (compiled-loss.ts).
 */
import type * as tf from "@tensorflow/tfjs-core";
import { observingInputs } from "../ops/kernel-io.js";

export const CLOSURE_CAPTURE = "a custom-gradient op's function uses a tensor that depends on a param or an argument without taking it as an input " +
  "(a closure capture): a replay would use the recorded value";

interface Watched {
  runKernelFunc(this: Watched, params: { inputs?: Record<string, tf.Tensor | null | undefined> | (tf.Tensor | null | undefined)[] }): tf.Tensor | tf.Tensor[];
  readSync(this: Watched, dataId: object): unknown;
  read(this: Watched, dataId: object): Promise<unknown>;
}

const WATCHED = ["runKernelFunc", "readSync", "read"] as const;

/** The gradient checks a recording left to its call's backward pass, and what they found. */
export class GradientChecks {
  /** The ops whose gradient has not run under its check yet (a kept program replays only when none is left). */
  private readonly pending = new Set<object>();
  private found: string | undefined;
  /** Told once, when a check finds a capture (the backward pass runs after the call kept its program). */
  onRefused: ((reason: string) => void) | undefined;

  get refused(): string | undefined {
    return this.found;
  }

  /** Whether a left check never ran (the program's gradients are unchecked). */
  get unchecked(): boolean {
    return this.pending.size > 0;
  }

  /**
   * `gradFunc` checked when the backward pass runs it: each kernel's inputs and each read must be in `inside` (the
   * op's inputs, value, saved tensors and what its functions made) or depend on nothing (`dependent` false).
   * `drop(op)` forgets the check of an op the program does not keep.
   */
  defer(
    engine: object, inside: Set<object>, dependent: (dataId: object) => boolean,
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[],
  ): { op: object; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] } {
    const op = {};
    this.pending.add(op);
    return {
      op,
      gradFunc: (dy, saved) => {
        if (!this.pending.delete(op)) return gradFunc(dy, saved);
        inside.add(dy.dataId);
        const check = (dataId: object) => {
          if (!inside.has(dataId) && dependent(dataId)) this.refuse(CLOSURE_CAPTURE);
        };
        return watching(engine as Watched, check, inside, () => observingInputs((t) => check(t.dataId), () => gradFunc(dy, saved)));
      },
    };
  }

  drop(op: object): void {
    this.pending.delete(op);
  }

  private refuse(reason: string): void {
    if (this.found !== undefined) return;
    this.found = reason;
    this.onRefused?.(reason);
  }
}

/** Run `f` with every kernel's inputs and every read given to `check`, and the kernels' outputs added to `inside`. */
function watching<T>(engine: Watched, check: (dataId: object) => void, inside: Set<object>, f: () => T): T {
  const own = Object.prototype.hasOwnProperty;
  const previous = WATCHED.map((m) => (own.call(engine, m) ? engine[m] : undefined));
  const { runKernelFunc, readSync, read } = engine;
  engine.runKernelFunc = function (params) {
    for (const t of Object.values(params.inputs ?? {})) if (t != null) check(t.dataId);
    const out = runKernelFunc.call(this, params);
    for (const t of Array.isArray(out) ? out : [out]) inside.add(t.dataId);
    return out;
  };
  engine.readSync = function (dataId) {
    check(dataId);
    return readSync.call(this, dataId);
  };
  engine.read = function (dataId) {
    check(dataId);
    return read.call(this, dataId);
  };
  try {
    return f();
  } finally {
    WATCHED.forEach((m, i) => {
      if (previous[i] === undefined) delete (engine as Partial<Watched>)[m];
      else (engine as unknown as Record<string, unknown>)[m] = previous[i];
    });
  }
}
