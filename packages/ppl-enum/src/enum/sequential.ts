/**
 * Sequential enumeration (Pyro's poutine.queue): a guide (or model) is run once per joint
 * value of its sites marked `infer.enumerate = "sequential"`. A generator runs
 * only once, so each run fixes a prefix of those sites; the first unfixed one
 * ends the run early and queues one extended prefix per value of its support
 * (depth first, as Pyro's LIFO queue). Every run of an extended prefix starts
 * from the random stream's state the escaped run started from, so the sites
 * drawn before the sequential site (a guide's continuous latents, an
 * autoguide's latent vector) are drawn again identically in each branch, as
 * Pyro's queue replays the partial trace it escaped from; each branch then
 * scores the same draw.
 */
import * as tf from "@tensorflow/tfjs-core";
import { PPLModelError } from "ppl-core";
import type { Handler } from "ppl-core";
import { type RngState, restoreRngState, rngState } from "ppl-core/internal";

class Escape {
  constructor(readonly site: string, readonly size: number) {}
}

/** One complete run, the value index of each sequential site it fixed, and each one's support size. */
export interface SequentialRun<T> {
  readonly result: T;
  readonly assignment: ReadonlyMap<string, number>;
  readonly totals: ReadonlyMap<string, number>;
}

/** Calls `run` with a handler that fixes sequential sites, once per joint value of them. */
export function runSequentially<T>(run: (fixer: () => Handler) => T): SequentialRun<T>[] {
  const out: SequentialRun<T>[] = [];
  const queue: { prefix: Map<string, number>; rng: RngState }[] = [{ prefix: new Map(), rng: rngState() }];
  while (queue.length > 0) {
    const { prefix, rng } = queue.pop()!;
    restoreRngState(rng);
    const totals = new Map<string, number>();
    try {
      out.push({ result: run(() => fixer(prefix, totals)), assignment: prefix, totals });
    } catch (e) {
      if (!(e instanceof Escape)) throw e;
      for (let v = e.size - 1; v >= 0; v--) queue.push({ prefix: new Map([...prefix, [e.site, v]]), rng });
    }
  }
  return out;
}

function fixer(prefix: ReadonlyMap<string, number>, totals: Map<string, number>): Handler {
  return {
    process(msg) {
      if (msg.type !== "sample" || msg.role !== "sample" || msg.isObserved || msg.value !== undefined) return;
      if (msg.infer.enumerate !== "sequential") return;
      if (!msg.fn.hasEnumerateSupport) {
        throw new PPLModelError(
          `site '${msg.name}' is marked infer.enumerate = "sequential" but its ${msg.fn.name} distribution has no finite ` +
            "support to enumerate. Fix: remove the enumerate flag, or use a discrete distribution such as Categorical",
          { site: msg.name, expected: "a distribution with enumerable support", actual: msg.fn.name },
        );
      }
      const support = msg.fn.enumerateSupport(msg.infer.expand === true);
      const size = support.shape[0]!;
      const v = prefix.get(msg.name);
      if (v === undefined) throw new Escape(msg.name, size);
      totals.set(msg.name, size);
      msg.value = tf.squeeze(support.slice([v], [1]), [0]);
      msg.enumInfo = { kind: "sequential", total: size };
      msg.done = true;
    },
  };
}
