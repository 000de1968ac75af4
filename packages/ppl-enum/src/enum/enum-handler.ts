/**
 * The enumeration handler: every unobserved site marked
 * `infer.enumerate = "parallel"` gets its whole support as its value, laid
 * out along a fresh batch dim left of the plates. `markov` tags let local
 * sites reuse dims, so a chain of any length needs bounded rank.
 */
import type * as tf from "@tensorflow/tfjs-core";
import { PPLConfigError, PPLModelError, PPLShapeError } from "ppl-core";
import type { Handler, Msg, SampleMsg } from "ppl-core";
import { checkTensorElements, formatShape, type EnumSide, type EnumVariable, type MarkovTag } from "ppl-core/internal";
import { EnumAllocator, type EnumVar } from "./allocator.js";

/**
 * The enumeration handler itself (Pyro's `EnumMessenger`). Users reach it
 * through {@link enumerate}, `TraceEnumELBO` and `inferDiscrete`; it is not
 * exported from the package.
 *
 * @example
 * const tr = trace(withHandler(model, () => new EnumMessenger(-2))).getTrace(data);
 */
export class EnumMessenger implements Handler {
  /** @internal which dims are in use; the contraction reads the variables from it */
  readonly allocator: EnumAllocator;
  /**
   * @param firstAvailableDim the rightmost dim enumeration may use (-1 - maxPlateNesting)
   * @param options `{ side, guide }` as below
   *
   * `firstAvailableDim` is kept as the readonly property of the same name.
   *
   * `side: "guide"` enumerates a guide (its variables are summed by the ELBO's
   * expectation under q). `guide`: the messenger that enumerated the guide this
   * model run replays; model dims are allocated left of the guide's, and a
   * replayed site keeps the dim of the guide variable it carries.
   */
  constructor(readonly firstAvailableDim: number, options: { side?: EnumSide; guide?: EnumMessenger } = {}) {
    this.allocator = new EnumAllocator(firstAvailableDim, { side: options.side, guide: options.guide?.allocator });
    this.guide = options.guide?.allocator;
  }

  private readonly guide: EnumAllocator | undefined;

  /** Enumerate a marked site (its value becomes its support along a fresh dim) and record every site's enum scope. */
  process(msg: Msg): void {
    if (msg.type !== "sample" || msg.role === "subsample") return;
    this.checkPlates(msg);
    const scope = this.allocator.scopeOf(msg.markov);
    const replayed = this.guide?.byName.get(msg.name);
    if (replayed !== undefined && msg.value !== undefined) {
      // the replayed value carries the guide variable's dim from here on
      scope.set(replayed.dim, replayed.id);
    } else if (wantsEnumeration(msg)) {
      const v = this.enumerateSite(msg, scope);
      scope.set(v.dim, v.id);
      msg.enumInfo = { kind: "parallel", dim: v.dim, variable: this.allocator.vars.get(v.id)! };
    }
    // the trace is the interface: a contraction names this site's dims from what is written here
    const dimToVar = new Map<number, EnumVariable>();
    for (const [d, id] of scope) dimToVar.set(d, this.allocator.vars.get(id)!);
    msg.enumScope = { side: this.allocator.side, dimToVar };
  }

  /** Note which enumeration dims a markov step's value varies along, so later steps can recycle the others. */
  postprocess(msg: Msg): void {
    if (msg.type !== "sample" || msg.markov.length === 0 || msg.value === undefined) return;
    const scope = msg.enumScope?.dimToVar;
    if (scope === undefined || scope.size === 0) return;
    this.allocator.noteValueDims(msg.markov, valueDims(msg.value, msg.fn.eventShape.length, scope));
  }

  private enumerateSite(msg: SampleMsg, scope: ReadonlyMap<number, number>): EnumVar {
    const fn = msg.fn;
    if (!fn.hasEnumerateSupport) {
      throw new PPLModelError(
        `site '${msg.name}' is marked infer.enumerate = "parallel" but its ${fn.name} distribution has no finite support ` +
          "to enumerate. Fix: remove the enumerate flag, or use a discrete distribution such as Categorical " +
          "(a .toEvent(...) distribution cannot be enumerated either)",
        { site: msg.name, expected: "a distribution with enumerable support", actual: fn.name },
      );
    }
    // infer.expand: the support spelled out over the whole batch shape (Pyro's expand=True)
    const expand = msg.infer.expand === true;
    const size = fn.supportSize();
    // the site's log-density spans its support and its batch: refuse before the support is laid out
    checkTensorElements(size * fn.batchShape.reduce((p, d) => p * d, 1), () => ({
      subject: `site '${msg.name}'`, site: msg.name,
      holds: `enumerating its ${fn.name} distribution (${size.toLocaleString("en-US")} values over batch shape ${formatShape(fn.batchShape)})`,
      fix: "enumerate a smaller support, or sample this site from a guide instead of enumerating it (drop infer.enumerate)",
    }));
    const v = this.allocator.allocate(msg.name, size, msg.markov, scope);
    this.checkNoLeak(msg, v);
    this.allocator.commit(v);
    // the distribution lays its support out at the dim (a family may hand back a cached, arange-tagged tensor)
    const value = fn.enumerateSupportAt(v.dim, expand);
    msg.value = value;
    msg.done = true;
    return v;
  }

  /** The distribution must not already vary along the dim we give the variable: that would be an out-of-window dependency. */
  private checkNoLeak(msg: SampleMsg, v: EnumVar): void {
    const batch = msg.fn.batchShape;
    const at = batch.length + v.dim;
    if (at < 0 || batch[at] === 1) return;
    const owner = this.allocator.previousOwner(v.dim);
    const where = describeStep(v.markov);
    if (owner !== undefined) {
      const history = v.markov?.history ?? 0;
      throw new PPLModelError(
        `site '${msg.name}' (enumerated at dim ${v.dim}${where}) depends on '${owner.name}'${describeStep(owner.markov, true)}, ` +
          `which left the markov window (history ${history}): the distribution has batch shape ${formatShape(batch)} with ` +
          `size ${batch[at]} at dim ${v.dim}, the dim '${owner.name}' was enumerated at and that is now reused. ` +
          `Fix: increase history (markov(..., { history: ${history + 1} })), or stop using '${owner.name}' outside its window`,
        { site: msg.name, expected: `size 1 at dim ${v.dim}`, actual: formatShape(batch) },
      );
    }
    throw new PPLShapeError(
      `site '${msg.name}' (enumerated at dim ${v.dim}${where}): its distribution already has size ${batch[at]} at that dim ` +
        `(batch shape ${formatShape(batch)}), so the enumerated values would mix with an unrelated batch dim. ` +
        "Fix: put batched parameters inside a plate, or raise maxPlateNesting so enumeration starts further left",
      { site: msg.name, expected: `size 1 at dim ${v.dim}`, actual: formatShape(batch) },
    );
  }

  private checkPlates(msg: SampleMsg): void {
    for (const f of msg.condIndepStack) {
      if (f.dim === undefined || f.dim > this.firstAvailableDim) continue;
      const maxPlateNesting = -1 - this.firstAvailableDim;
      throw new PPLConfigError(
        `at site '${msg.name}': plate '${f.name}' uses dim ${f.dim}, but maxPlateNesting is ${maxPlateNesting} ` +
          `(enumeration starts at dim ${this.firstAvailableDim}, so plates may only use dims -1..${-maxPlateNesting}). ` +
          `Fix: set maxPlateNesting to at least ${-f.dim} (or leave it out so it is inferred)`,
        { site: msg.name, plate: f.name, expected: `maxPlateNesting >= ${-f.dim}`, actual: String(maxPlateNesting) },
      );
    }
  }
}

function wantsEnumeration(msg: SampleMsg): boolean {
  if (msg.infer.enumerate === undefined || msg.role !== "sample") return false;
  // replayed (guide) and observed values are kept as they are
  if (msg.isObserved || msg.value !== undefined || msg.done) return false;
  if (msg.infer.enumerate === "sequential") {
    throw new PPLConfigError(
      `site '${msg.name}': infer.enumerate = "sequential" is enumerated by TraceEnumELBO (one run per value); here (inferDiscrete, enumerate) only "parallel" is`,
      { site: msg.name, expected: "parallel", actual: "sequential" },
    );
  }
  return true;
}

/** The enumerated dims (among `scope`) along which a value has size > 1, dim -> id. */
function valueDims(value: tf.Tensor, eventRank: number, scope: ReadonlyMap<number, EnumVariable>): Map<number, number> {
  const out = new Map<number, number>();
  const batchRank = value.rank - eventRank;
  for (const [d, v] of scope) {
    const at = batchRank + d;
    if (at >= 0 && value.shape[at]! > 1) out.set(d, v.id);
  }
  return out;
}

function describeStep(tag: MarkovTag | undefined, short = false): string {
  if (tag === undefined) return short ? " (global)" : ", global";
  return short ? ` (step ${tag.step})` : `, markov step ${tag.step} of ${tag.chainName}`;
}
