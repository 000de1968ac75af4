import { type Handler, handle, requireModel } from "../runtime/handler.js";
import type { Model, ModelGenerator } from "../runtime/messages.js";
import { runGenerator } from "../runtime/run.js";
import { type Site, Trace } from "../runtime/trace-struct.js";

/** A model that records its runs (what {@link trace} returns); still a model, so it nests in other handlers. */
export interface TracedModel<A extends unknown[], R> extends Model<A, R> {
  /** Run the model once (under no outer handlers) and return its trace. */
  getTrace(...args: A): Trace;
  /** Run once and return both the trace and the model's return value. */
  getTraceAndReturn(...args: A): {
    /** The run's trace. */
    trace: Trace;
    /** What the model returned. */
    value: R;
  };
  /** The trace of the most recent run through this handler. */
  readonly lastTrace: Trace | undefined;
}

function recorder(tr: Trace): Handler {
  return {
    postprocess(msg) {
      if (msg.type === "plate") return;
      tr.add({ ...msg } as Site);
    },
  };
}

/**
 * Record every sample and param site of each run, in order (Pyro's
 * `poutine.trace`). The trace's values belong to the run: wrap inspection code
 * in `tf.tidy` (docs/tensor-ownership.md).
 *
 * @example
 * const tr = trace(model).getTrace(data);
 * console.log(tr.formatShapes());
 * const mu = tr.sampleSite("mu").value;
 */
export function trace<A extends unknown[], R>(model: Model<A, R>): TracedModel<A, R> {
  requireModel("trace", model);
  let last: Trace | undefined;
  const traced = function* (...args: A): ModelGenerator<R> {
    last = new Trace();
    return yield* handle(model(...args), recorder(last));
  };
  const getTraceAndReturn = (...args: A) => {
    const tr = new Trace();
    const value = runGenerator(handle(model(...args), recorder(tr)), { name: model.name, arity: model.length, given: args.length });
    last = tr;
    return { trace: tr, value };
  };
  // defineProperties, not Object.assign: assign would read the getter once and copy its value
  return Object.defineProperties(traced, {
    getTrace: { value: (...args: A) => getTraceAndReturn(...args).trace },
    getTraceAndReturn: { value: getTraceAndReturn },
    lastTrace: { get: () => last },
  }) as TracedModel<A, R>;
}
