/**
 * Chain detection for the plan: when the factors of one plate leaf form a
 * first-order chain v_0 — v_1 — … — v_{n-1} (every factor mentions one
 * variable or two neighbours, all variables the same size, nothing outside
 * the leaf), the n greedy log-sum-exp eliminations are replaced by the one
 * road every chain takes: the per-step factors are stacked along a time dim
 * (a StackStep per layout group) and the plan's TimeChain step eliminates
 * them (the ring's chain operation: one pass of ppl-core's chain kernel,
 * forward–backward, Viterbi or FFBS). This finds chains the trace walk did
 * not stack: a model's chain written without `markov`, a nested loop, a loop
 * whose variables are read after it. The result is the same as the generic
 * elimination's; only the number of tfjs ops changes. Pure structure, no
 * tensors: cached with the plan.
 */
import type { Dim } from "./factor.js";

/** Chains shorter than this are left to the generic elimination (the stacking costs more than it saves). */
export const CHAIN_MIN_LENGTH = 3;

/** Factors of one kind (unary or pairwise) with one layout, stacked over the steps (a plan's StackStep). */
export interface ChainGroup {
  /** Per step (unary: n steps; pairwise: n-1 transitions) the slot holding that step's factor, or -1 (a zero). */
  readonly slots: readonly number[];
  /** The shape of every slot's tensor. */
  readonly pieceShape: readonly number[];
  /** The symbols of its variables, in the stacked factor's order. */
  readonly varSyms: readonly Dim[];
  /** After stacking into [steps, ...pieceShape]: the transpose to [present plates..., steps, vars...] (null: in order). */
  readonly perm: readonly number[] | null;
  /** The chain's plates this group's factors vary along, in the chain's order. */
  readonly present: readonly Dim[];
}

/**
 * One chain, or M chains that meet only in per-step factors, found by
 * structure: vars[t][m] is chain m's variable at step t; each unary group is
 * on the chains `chains` (its varSyms in that order), each pair group of
 * chain m on its previous ("A") and next ("B") variable.
 */
export interface FoundChains {
  readonly vars: readonly (readonly Dim[])[];
  /** Number of steps. */
  readonly length: number;
  /** Each chain's number of states. */
  readonly sizes: readonly number[];
  /** The plates the factors vary along, sorted. */
  readonly plates: readonly Dim[];
  readonly unary: readonly { readonly group: ChainGroup; readonly chains: readonly number[] }[];
  /** Per chain, its transition factors' groups. */
  readonly pairs: readonly (readonly ChainGroup[])[];
}

export interface ChainContext {
  readonly slotDims: readonly (readonly Dim[])[];
  readonly sizes: ReadonlyMap<Dim, number>;
  readonly isVar: (d: Dim) => boolean;
  /** Dims in a fixed, deterministic order. */
  readonly sorted: (dims: Iterable<Dim>) => Dim[];
}

/** The chain eliminating `local` from `slots` (M = 1), or undefined when they are not a chain. */
export function detectChain(ctx: ChainContext, slots: readonly number[], local: ReadonlySet<Dim>): FoundChains | undefined {
  const n = local.size;
  if (n < CHAIN_MIN_LENGTH) return undefined;
  const vars = ctx.sorted(local);
  const K = ctx.sizes.get(vars[0]!)!;
  if (vars.some((v) => ctx.sizes.get(v) !== K)) return undefined;

  const neighbours = new Map<Dim, Set<Dim>>(vars.map((v) => [v, new Set<Dim>()]));
  const varsOf: Dim[][] = [];
  for (const s of slots) {
    const vs = ctx.slotDims[s]!.filter(ctx.isVar);
    if (vs.length === 0 || vs.length > 2 || vs.some((v) => !local.has(v))) return undefined;
    if (vs.length === 2) {
      neighbours.get(vs[0]!)!.add(vs[1]!);
      neighbours.get(vs[1]!)!.add(vs[0]!);
    }
    varsOf.push(vs);
  }
  const order = pathOrder(vars, neighbours);
  if (order === undefined) return undefined;
  const pos = new Map(order.map((v, t) => [v, t]));

  const plates = ctx.sorted(new Set(slots.flatMap((s) => ctx.slotDims[s]!.filter((d) => !ctx.isVar(d)))));
  const kVars = (sym: readonly Dim[]) => (sym.includes("B") ? ["A", "B"] : ["A"]);
  const unary = new GroupSet(n, plates, kVars);
  const pair = new GroupSet(n - 1, plates, kVars);
  slots.forEach((s, i) => {
    const vs = varsOf[i]!;
    const dims = ctx.slotDims[s]!;
    const pieceShape = dims.map((d) => ctx.sizes.get(d)!);
    if (vs.length === 1) {
      unary.add(s, pos.get(vs[0]!)!, dims.map((d) => (ctx.isVar(d) ? "A" : d)), pieceShape);
    } else {
      const [a, b] = vs.map((v) => pos.get(v)!) as [number, number];
      const prev = Math.min(a, b);
      // "A": the earlier variable of the transition, "B": the later
      const sym = dims.map((d) => (ctx.isVar(d) ? (pos.get(d) === prev ? "A" : "B") : d));
      pair.add(s, prev, sym, pieceShape);
    }
  });
  return {
    vars: order.map((v) => [v]), length: n, sizes: [K], plates, unary: unary.groups().map((group) => ({ group, chains: [0] })), pairs: [pair.groups()],
  };
}

/** The variables in path order (starting from the end that sorts first), or undefined if the graph is not one simple path. */
function pathOrder(vars: readonly Dim[], neighbours: ReadonlyMap<Dim, ReadonlySet<Dim>>): Dim[] | undefined {
  let edges = 0;
  for (const v of vars) {
    const deg = neighbours.get(v)!.size;
    if (deg > 2) return undefined;
    edges += deg;
  }
  if (edges / 2 !== vars.length - 1) return undefined;
  const start = vars.find((v) => neighbours.get(v)!.size === 1);
  if (start === undefined) return undefined;
  const order: Dim[] = [start];
  const seen = new Set<Dim>([start]);
  for (let cur = start; ; ) {
    const next = [...neighbours.get(cur)!].find((d) => !seen.has(d));
    if (next === undefined) break;
    order.push(next);
    seen.add(next);
    cur = next;
  }
  return order.length === vars.length ? order : undefined;
}

/** A group's variables: their symbols in the stacked factor's order. */
type GroupVars = (sym: readonly Dim[]) => readonly Dim[];

/** Groups factors of one kind by symbolic layout; a second factor of one layout at the same step opens another group. */
export class GroupSet {
  private readonly byKey = new Map<string, { sym: Dim[]; pieceShape: number[]; slots: number[] }[]>();

  constructor(
    private readonly steps: number,
    private readonly plates: readonly Dim[],
    private readonly varsOf: GroupVars,
  ) {}

  add(slot: number, step: number, sym: Dim[], pieceShape: number[]): void {
    const key = sym.join("\u0000");
    let list = this.byKey.get(key);
    if (list === undefined) this.byKey.set(key, (list = []));
    let g = list.find((e) => e.slots[step] === -1);
    if (g === undefined) list.push((g = { sym, pieceShape, slots: new Array<number>(this.steps).fill(-1) }));
    g.slots[step] = slot;
  }

  groups(): ChainGroup[] {
    const out: ChainGroup[] = [];
    for (const list of this.byKey.values()) for (const g of list) out.push(layoutGroup(g.sym, g.pieceShape, g.slots, this.plates, this.varsOf(g.sym)));
    return out;
  }
}

/**
 * The layout of factors stacked over steps: `sym` names each axis of a piece
 * (a plate, or the symbol of a variable), `varSyms` the variables' symbols in
 * the order the stacked factor has them.
 */
function layoutGroup(sym: readonly Dim[], pieceShape: readonly number[], slots: readonly number[], plates: readonly Dim[], varSyms: readonly Dim[]): ChainGroup {
  const stacked = ["\u0000T", ...sym];
  const present = plates.filter((p) => sym.includes(p));
  const perm = [...present, "\u0000T", ...varSyms].map((d) => stacked.indexOf(d));
  return { slots, pieceShape, varSyms, perm: perm.every((p, i) => p === i) ? null : perm, present };
}
