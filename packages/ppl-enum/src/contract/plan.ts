/**
 * The elimination plan: which factors to combine, in which order, and when
 * to sum out plates. It depends only on the factors' named dims, sizes and
 * ordinals, so it is computed once per model structure and cached. Plans hold
 * no tensors.
 *
 * Order (Pyro's contract_tensor_tree): components that share no enumerated
 * variable are contracted apart; inside one, the most deeply nested plate
 * set (leaf) goes first: its local variables are eliminated greedily
 * (smallest resulting factor first, which on a chain is the forward
 * algorithm), then the plates the parent does not have are summed out
 * (a product in probability space) and the message moves to the parent.
 */
import { PPLModelError, PPLShapeError } from "ppl-core";
import { checkTensorElements } from "ppl-core/internal";
import { type ChainGroup, type FoundChains, detectChain } from "./chain-plan.js";
import type { Dim, FactorSignature } from "./factor.js";
import { detectFactorial } from "./factorial-plan.js";
import { type TimeChain, type TimeChainStep, isFactorial, timeChainSpec } from "./time-chain-plan.js";

/** How to lay an input out for broadcasting against a step's joint dims. */
export interface Align {
  /** Transpose first (null: already in order). */
  readonly perm: readonly number[] | null;
  /** Then reshape to the joint rank, 1 where the input lacks a dim (null: already that shape). */
  readonly shape: readonly number[] | null;
}

/** Broadcast-add the inputs over `outDims ++ [elim]` and reduce `elim` with the ring. */
export interface CombineStep {
  readonly kind: "combine";
  readonly inputs: readonly number[];
  readonly aligns: readonly Align[];
  readonly outDims: readonly Dim[];
  readonly elim: Dim;
  /** The plates `elim` lives in: a decoder picks it once per member of each, even where the factors are constant along one. */
  readonly elimPlates: readonly Dim[];
  readonly jointShape: readonly number[];
  readonly out: number;
}

/**
 * Sum a factor over plate axes (a product of independent members, in log
 * space). A plate the factor lacks means it is constant along that plate:
 * multiply by the plate's size instead.
 */
export interface ProductStep {
  readonly kind: "product";
  readonly input: number;
  readonly axes: readonly number[];
  readonly multiplier: number;
  readonly out: number;
}

/**
 * Per-step factors of a chain the plan found by structure (chain-plan.ts),
 * stacked along its time dim: slot `out` is over [the plates the group varies
 * along, time, its variables]. A transition that is the same tensor at every
 * step (`oneStepIfShared`) stays one step, size 1 along time (the kernel's
 * shared transition), never copied.
 */
export interface StackStep {
  readonly kind: "stack";
  /** Per step, the slot of that step's factor, or -1 (a zero). */
  readonly slots: readonly number[];
  /** The shape of every slot's tensor. */
  readonly pieceShape: readonly number[];
  /** The transpose of the stacked [steps, ...pieceShape] into the out slot's dims (null: in order). */
  readonly perm: readonly number[] | null;
  readonly oneStepIfShared: boolean;
  readonly out: number;
}

export type Step = CombineStep | ProductStep | StackStep | TimeChainStep;

export interface PlanOptions {
  /**
   * Eliminate first-order chains that per-step factors form (chain-plan.ts,
   * factorial-plan.ts) with one TimeChain step (the ring's chain operation)
   * instead of their variables one by one. Default true; false gives the
   * step-by-step elimination (a reference for tests).
   */
  readonly fuseChains?: boolean;
}

export interface Plan {
  readonly steps: readonly Step[];
  /**
   * Slots holding the results: factors over plate dims (and any dim that is
   * neither summed nor a plate, e.g. a guide's enumerated variable), each with
   * the plates it sits in (its ordinal).
   */
  readonly roots: readonly number[];
  readonly rootOrdinals: readonly (readonly Dim[])[];
  /**
   * Per root: the product of the sizes of its ordinal's plates that it lacks
   * (it is constant along them). Σ of a root's elements times this is its
   * contribution; consumers that sum plates themselves (an expectation that
   * broadcasts along them) use the ordinal instead.
   */
  readonly rootMultipliers: readonly number[];
  readonly slotDims: readonly (readonly Dim[])[];
  readonly sizes: ReadonlyMap<Dim, number>;
}

type Label = (d: Dim) => string;

class PlanBuilder {
  readonly steps: Step[] = [];
  readonly roots: number[] = [];
  readonly rootOrdinals: Dim[][] = [];
  readonly rootMultipliers: number[] = [];
  readonly slotDims: Dim[][] = [];
  readonly sizes = new Map<Dim, number>();
  private readonly order = new Map<Dim, number>();
  /** Each summed variable's plates (set per component before it is contracted). */
  readonly varOrdinals = new Map<Dim, ReadonlySet<Dim>>();

  constructor(
    sigs: readonly FactorSignature[],
    private readonly label: Label,
    private readonly plateSizes: ReadonlyMap<Dim, number>,
  ) {
    for (const s of sigs) {
      s.dims.forEach((d, i) => {
        const size = s.sizes[i]!;
        const known = this.sizes.get(d);
        if (known !== undefined && known !== size) {
          throw new PPLShapeError(`${label(d)} has size ${known} in one factor and ${size} in another`, {
            expected: String(known), actual: String(size),
          });
        }
        this.sizes.set(d, size);
        if (!this.order.has(d)) this.order.set(d, this.order.size);
      });
      this.slotDims.push([...s.dims]);
    }
  }

  sorted(dims: Iterable<Dim>): Dim[] {
    return [...dims].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }

  private newSlot(dims: Dim[]): number {
    this.slotDims.push(dims);
    return this.slotDims.length - 1;
  }

  combine(inputs: number[], elim: Dim): number {
    const union = new Set<Dim>();
    for (const s of inputs) for (const d of this.slotDims[s]!) union.add(d);
    union.delete(elim);
    const outDims = this.sorted(union);
    const joint = [...outDims, elim];
    const jointShape = joint.map((d) => this.sizes.get(d)!);
    checkTensorElements(jointShape.reduce((p, q) => p * q, 1), () => ({
      subject: "the contraction",
      holds: `eliminating ${this.label(elim)} from a factor over ${joint.map((d, i) => `${this.label(d)} (${jointShape[i]})`).join(", ")}`,
      fix: "couple fewer enumerated variables at once (markov(...) recycles a chain's dims), or enumerate smaller supports",
    }));
    const aligns = inputs.map((s) => alignTo(this.slotDims[s]!, joint, jointShape));
    const out = this.newSlot(outDims);
    const elimPlates = [...(this.varOrdinals.get(elim) ?? [])].sort();
    this.steps.push({ kind: "combine", inputs, aligns, outDims, elim, elimPlates, jointShape, out });
    return out;
  }

  product(input: number, plates: ReadonlySet<Dim>): number {
    const dims = this.slotDims[input]!;
    const axes = dims.map((d, i) => (plates.has(d) ? i : -1)).filter((i) => i >= 0);
    let multiplier = 1;
    for (const p of plates) if (!dims.includes(p)) multiplier *= this.plateSizes.get(p) ?? 1;
    if (axes.length === 0 && multiplier === 1) return input;
    const out = this.newSlot(dims.filter((d) => !plates.has(d)));
    this.steps.push({ kind: "product", input, axes, multiplier, out });
    return out;
  }

  /** The product of the sizes of `plates` that slot `s` lacks. */
  missingPlateSize(s: number, plates: ReadonlySet<Dim>): number {
    let m = 1;
    for (const p of plates) if (!this.slotDims[s]!.includes(p)) m *= this.plateSizes.get(p) ?? 1;
    return m;
  }

  /** A time chain's step: its inputs in, one slot over its batch out. */
  timeChain(c: TimeChain): number {
    const size = (d: Dim): number => this.sizes.get(d) ?? this.plateSizes.get(d) ?? 1;
    for (const d of c.batch) {
      this.sizes.set(d, size(d));
      if (!this.order.has(d)) this.order.set(d, this.order.size);
    }
    // the state's variables, known even where no factor mentions one (a step with no transition)
    for (const vars of c.stepVars ?? [c.prev, c.curr]) vars.forEach((d, i) => this.sizes.set(d, c.stateSizes[i]!));
    const out = this.newSlot([...c.batch]);
    const factorial = isFactorial(c, (i) => this.slotDims[i]!);
    this.steps.push({ kind: "timeChain", chain: c, spec: timeChainSpec(c, size), factorial, out });
    return out;
  }

  /** Eliminate a chain, or M chains that meet only in per-step factors, with one TimeChain step; undefined when `slots` are neither. */
  chain(slots: number[], vars: ReadonlySet<Dim>, sumDims: ReadonlySet<Dim>): number | undefined {
    const ctx = { slotDims: this.slotDims, sizes: this.sizes, isVar: (d: Dim) => sumDims.has(d), sorted: (d: Iterable<Dim>) => this.sorted(d) };
    const found = detectChain(ctx, slots, vars) ?? detectFactorial(ctx, slots, vars);
    return found === undefined ? undefined : this.timeChain(this.stacked(found));
  }

  /** Found chains as a TimeChain: each layout group stacked along the chain's time dim (its emissions along the span of every step). */
  private stacked(found: FoundChains): TimeChain {
    const [prev, curr] = [found.vars[0]!, found.vars[1]!];
    const time = `t:chain-${prev[0]!}`;
    const span = `T:chain-${prev[0]!}`;
    const every = found.unary.map(({ group, chains }) => this.stack(group, span, chains.map((m) => curr[m]!), false));
    const step = found.pairs.flatMap((groups, m) => groups.map((g) => this.stack(g, time, [prev[m]!, curr[m]!], true)));
    const plates = [...(this.varOrdinals.get(prev[0]!) ?? [])].sort();
    return {
      time, span, steps: found.length - 1, prev, curr, stateSizes: found.sizes, batch: found.plates, plates, init: [], step, every, stepVars: found.vars,
    };
  }

  /** One layout group stacked: a slot over [its plates, `time`, `vars` (its varSyms' variables, in their order)]. */
  private stack(g: ChainGroup, time: Dim, vars: readonly Dim[], oneStepIfShared: boolean): number {
    const out = this.newSlot([...g.present, time, ...vars]);
    this.steps.push({ kind: "stack", slots: g.slots, pieceShape: g.pieceShape, perm: g.perm, oneStepIfShared, out });
    return out;
  }

  /** Eliminate `vars` from the factors in `slots` greedily; returns the single resulting slot. */
  eliminate(slots: number[], vars: Set<Dim>): number[] {
    const working = new Set(slots);
    // which working slots mention each variable: a candidate's cost reads its own factors, not every factor
    const touchingOf = new Map<Dim, Set<number>>();
    for (const v of vars) touchingOf.set(v, new Set());
    const note = (s: number, add: boolean) => {
      for (const d of this.slotDims[s]!) {
        const set = touchingOf.get(d);
        if (set !== undefined) add ? set.add(s) : set.delete(s);
      }
    };
    for (const s of working) note(s, true);
    // each candidate's cost, recomputed only when a factor it touches changes
    const cost = new Map<Dim, { touching: number[]; outSize: number; jointSize: number }>();
    const costOf = (v: Dim) => {
      const touching = [...touchingOf.get(v)!].sort((a, b) => a - b);
      const union = new Set<Dim>();
      for (const s of touching) for (const d of this.slotDims[s]!) union.add(d);
      let jointSize = 1;
      for (const d of union) jointSize *= this.sizes.get(d)!;
      cost.set(v, { touching, outSize: jointSize / this.sizes.get(v)!, jointSize });
    };
    const remaining = this.sorted(vars);
    for (const v of remaining) costOf(v);
    while (remaining.length > 0) {
      let at = 0;
      for (let i = 1; i < remaining.length; i++) {
        const c = cost.get(remaining[i]!)!;
        const b = cost.get(remaining[at]!)!;
        if (c.outSize < b.outSize || (c.outSize === b.outSize && c.jointSize < b.jointSize)) at = i;
      }
      const v = remaining[at]!;
      const b = cost.get(v)!;
      remaining.splice(at, 1);
      touchingOf.delete(v);
      cost.delete(v);
      if (b.touching.length === 0) continue;
      const out = this.combine(b.touching, v);
      const stale = new Set<Dim>();
      for (const s of b.touching) {
        working.delete(s);
        note(s, false);
        for (const d of this.slotDims[s]!) stale.add(d);
      }
      working.add(out);
      note(out, true);
      for (const d of stale) if (cost.has(d)) costOf(d);
    }
    return [...working];
  }
}

export function alignTo(dims: readonly Dim[], joint: readonly Dim[], jointShape: readonly number[]): Align {
  const positions = dims.map((d) => joint.indexOf(d));
  const order = positions.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const perm = order.map(([, i]) => i);
  const needsPerm = perm.some((p, i) => p !== i);
  const shape = joint.map((d, i) => (dims.includes(d) ? jointShape[i]! : 1));
  const needsShape = dims.length !== joint.length;
  return { perm: needsPerm ? perm : null, shape: needsShape ? shape : null };
}

const keyOf = (ordinal: ReadonlySet<Dim>): string => [...ordinal].sort().join(",");

function intersect(sets: readonly ReadonlySet<Dim>[]): Set<Dim> {
  if (sets.length === 0) return new Set();
  const out = new Set(sets[0]);
  for (const s of sets.slice(1)) for (const d of out) if (!s.has(d)) out.delete(d);
  return out;
}

/** Split factor indices into groups connected through `dims`. */
function connected(slots: readonly number[], slotDims: readonly (readonly Dim[])[], dims: ReadonlySet<Dim>): number[][] {
  const parent = slots.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  const owner = new Map<Dim, number>();
  slots.forEach((s, i) => {
    for (const d of slotDims[s]!) {
      if (!dims.has(d)) continue;
      const o = owner.get(d);
      if (o === undefined) owner.set(d, i);
      else parent[find(i)] = find(o);
    }
  });
  const groups = new Map<number, number[]>();
  slots.forEach((s, i) => {
    const r = find(i);
    const g = groups.get(r);
    if (g === undefined) groups.set(r, [s]);
    else g.push(s);
  });
  return [...groups.values()];
}

export function buildPlan(
  sigs: readonly FactorSignature[],
  sumDims: ReadonlySet<Dim>,
  plateSizes: ReadonlyMap<Dim, number>,
  label: Label,
  options: PlanOptions = {},
  chains: readonly TimeChain[] = [],
): Plan {
  const b = new PlanBuilder(sigs, label, plateSizes);
  const ordinals = sigs.map((s) => new Set(s.ordinal));
  // each vectorizedMarkov chain first, in one step over its own inputs; its result joins the contraction as one
  // more factor (so a decoder's ring records the chain before the variables outside it that it depends on)
  const members = new Set(chains.flatMap((c) => [...c.init, ...c.step, ...c.every]));
  const inputs = sigs.map((_, i) => i).filter((i) => !members.has(i));
  for (const c of chains) {
    const out = b.timeChain(c);
    ordinals[out] = new Set(c.plates);
    inputs.push(out);
  }
  for (const component of connected(inputs, b.slotDims, sumDims)) {
    contractComponent(b, component, ordinals, sumDims, label, options.fuseChains !== false);
  }
  return {
    steps: b.steps, roots: b.roots, rootOrdinals: b.rootOrdinals, rootMultipliers: b.rootMultipliers, slotDims: b.slotDims, sizes: b.sizes,
  };
}

function contractComponent(
  b: PlanBuilder,
  component: readonly number[],
  ordinals: readonly ReadonlySet<Dim>[],
  sumDims: ReadonlySet<Dim>,
  label: Label,
  fuseChains: boolean,
): void {
  // a variable lives in the plates that every factor mentioning it shares
  const varOrdinal = new Map<Dim, Set<Dim>>();
  for (const v of new Set(component.flatMap((s) => b.slotDims[s]!.filter((d) => sumDims.has(d))))) {
    varOrdinal.set(v, intersect(component.filter((s) => b.slotDims[s]!.includes(v)).map((s) => ordinals[s]!)));
    b.varOrdinals.set(v, varOrdinal.get(v)!);
  }
  const minOrdinal = intersect(component.map((s) => ordinals[s]!));
  const tree = new Map<string, { ordinal: Set<Dim>; slots: number[] }>();
  const push = (ordinal: Set<Dim>, slot: number) => {
    const k = keyOf(ordinal);
    const e = tree.get(k);
    if (e === undefined) tree.set(k, { ordinal, slots: [slot] });
    else e.slots.push(slot);
  };
  for (const s of component) push(new Set(ordinals[s]), s);

  while (tree.size > 0) {
    let leafKey = "";
    let leaf: { ordinal: Set<Dim>; slots: number[] } | undefined;
    for (const [k, e] of [...tree].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      if (leaf === undefined || e.ordinal.size > leaf.ordinal.size) [leafKey, leaf] = [k, e];
    }
    tree.delete(leafKey);
    const leafVars = new Set([...varOrdinal].filter(([, o]) => keyOf(o) === leafKey).map(([v]) => v));
    for (const group of connected(leaf!.slots, b.slotDims, leafVars)) {
      const local = new Set(group.flatMap((s) => b.slotDims[s]!.filter((d) => leafVars.has(d))));
      const chained = fuseChains ? b.chain(group, local, sumDims) : undefined;
      const results = chained !== undefined ? [chained] : b.eliminate(group, local);
      for (const f of results) {
        const outer = b.slotDims[f]!.filter((d) => sumDims.has(d));
        let parent: Set<Dim>;
        if (outer.length > 0) {
          parent = new Set(outer.flatMap((v) => [...varOrdinal.get(v)!]));
          if (parent.size >= leaf!.ordinal.size) {
            throw new PPLModelError(
              `expected tree-structured plate nesting, but found variables ${outer.map(label).join(", ")} that depend on ` +
                `independent plates ${[...leaf!.ordinal].map(label).join(", ")}. Fix: make one of these plates a sequential ` +
                "loop (beware exponential cost), or move the coupled variables into a common plate",
              { expected: "nested plates", actual: [...leaf!.ordinal].map(label).join(", ") },
            );
          }
        } else {
          parent = minOrdinal;
        }
        const drop = new Set([...leaf!.ordinal].filter((p) => !parent.has(p)));
        const g = b.product(f, drop);
        if (outer.length > 0) push(parent, g);
        else {
          b.roots.push(g);
          b.rootOrdinals.push([...parent].sort());
          b.rootMultipliers.push(b.missingPlateSize(g, parent));
        }
      }
    }
  }
}
