/**
 * Per-run bookkeeping of enumeration dims: which dim and id each enumerated
 * variable got, and which variables each later site can see. One instance
 * lives inside one enumerate-handler run; nothing here is module-level.
 */
import type { EnumSide, EnumVariable, MarkovTag } from "ppl-core/internal";

/** An enumerated variable, as the allocator saw it: where it lives, for this run's bookkeeping and messages. */
/** An enumerated variable with the dim its support lies along in this run. */
export interface EnumVar extends EnumVariable {
  /** The (negative) batch dim of its support. */
  readonly dim: number;
  /** The innermost markov tag, for error messages (undefined: global). */
  readonly markov: MarkovTag | undefined;
}

interface StepEntry {
  /** dim -> id of the enumerated variables this site's value varies along. */
  readonly valueDims: ReadonlyMap<number, number>;
}

export class EnumAllocator {
  /** Every enumerated variable of this run (the guide's too, when this allocator continues the guide's), by id. */
  readonly vars: Map<number, EnumVar>;
  /** This run's enumerated sites by name (a model run replaying a guide run finds the guide's here). */
  readonly byName = new Map<string, EnumVar>();
  readonly side: EnumSide;
  private nextGlobalDim: number;
  private readonly globalDims: Map<number, number>;
  /** The leftmost dim any variable of this run took. */
  private leftmost: number;
  /** chain -> step -> value dims recorded at that step, for markov scoping. */
  private readonly steps = new Map<object, Map<number, StepEntry[]>>();
  /** The variable most recently allocated at each dim (to name leaks). */
  private readonly lastAtDim = new Map<number, EnumVar>();

  /**
   * `side: "guide"` marks the variables of a guide run. `guide`: the allocator
   * of the guide run that this model run replays; the model then shares its
   * variable ids, sees its global variables, and allocates every dim of its
   * own to the left of all the guide's (as Pyro does), so one dim never holds
   * a guide and a model variable in one tensor.
   */
  constructor(readonly firstAvailableDim: number, options: { side?: EnumSide; guide?: EnumAllocator } = {}) {
    const guide = options.guide;
    this.side = options.side ?? "model";
    this.vars = new Map(guide?.vars);
    this.globalDims = new Map(guide?.globalDims);
    this.leftmost = Math.min(guide?.leftmost ?? 0, firstAvailableDim + 1);
    this.nextGlobalDim = this.leftmost - 1;
  }


  /**
   * The enumerated dims visible to a site with these markov tags: every
   * global variable, plus the value dims of sites in the last `history`
   * steps of each enclosing markov loop (Pyro's markov scope).
   */
  scopeOf(markov: readonly MarkovTag[]): Map<number, number> {
    const scope = new Map(this.globalDims);
    for (const tag of markov) {
      const byStep = this.steps.get(tag.chain);
      if (byStep === undefined) continue;
      for (let s = tag.step - tag.history; s <= tag.step; s++) {
        for (const e of byStep.get(s) ?? []) for (const [d, id] of e.valueDims) scope.set(d, id);
      }
    }
    return scope;
  }

  /** Give a fresh id and a dim: globals take a dim for good, locals the first dim not in scope. */
  allocate(name: string, size: number, markov: readonly MarkovTag[], scope: ReadonlyMap<number, number>): EnumVar {
    let dim: number;
    if (markov.length === 0) {
      dim = this.nextGlobalDim--;
    } else {
      dim = this.nextGlobalDim;
      while (scope.has(dim)) dim--;
    }
    const v: EnumVar = { name, id: this.vars.size, dim, size, markov: markov[0], side: this.side };
    this.vars.set(v.id, v);
    this.byName.set(name, v);
    this.leftmost = Math.min(this.leftmost, dim);
    if (markov.length === 0) this.globalDims.set(dim, v.id);
    return v;
  }

  /** The variable that held `dim` before `v` took it (the one a leak would come from). */
  previousOwner(dim: number): EnumVar | undefined {
    return this.lastAtDim.get(dim);
  }

  /** Called once a variable's dim is final and checked. */
  commit(v: EnumVar): void {
    this.lastAtDim.set(v.dim, v);
  }

  /** Record which enumerated dims a markov site's value carries, for the scope of later steps. */
  noteValueDims(markov: readonly MarkovTag[], valueDims: ReadonlyMap<number, number>): void {
    if (valueDims.size === 0) return;
    for (const tag of markov) {
      let byStep = this.steps.get(tag.chain);
      if (byStep === undefined) this.steps.set(tag.chain, (byStep = new Map()));
      let list = byStep.get(tag.step);
      if (list === undefined) byStep.set(tag.step, (list = []));
      list.push({ valueDims });
    }
  }
}
