/**
 * Chain detection for the plan: when the factors of one plate leaf form a
 * first-order chain v_0 — v_1 — … — v_{n-1} (every factor mentions one
 * variable or two neighbours, all variables the same size, nothing outside
 * the leaf), the n greedy log-sum-exp eliminations are replaced by one
 * ChainStep: the per-step factors are stacked along a time axis (one concat
 * per layout group) and eliminated by the ring's chain operation (one pass
 * of ppl-core's chain kernel: forward–backward, Viterbi or FFBS). The result
 * is the same as the generic elimination's; only the number of tfjs ops
 * changes. Pure structure, no tensors: cached with the plan.
 */
import type { Dim } from "./factor.js";

/** Chains shorter than this are left to the generic elimination (the stacking costs more than it saves). */
export const CHAIN_MIN_LENGTH = 3;

/** Factors of one kind (unary or pairwise) with one layout, stacked over the steps. */
export interface ChainGroup {
  /** Per step (unary: n steps; pairwise: n-1 transitions) the slot holding that step's factor, or -1 (a zero). */
  readonly slots: readonly number[];
  /** The shape of every slot's tensor. */
  readonly pieceShape: readonly number[];
  /** The symbols of its variables, in the kernel's order. */
  readonly varSyms: readonly Dim[];
  /** After concat on axis 0 and reshape to [steps, ...pieceShape]: transpose to [plates..., steps, vars...] (null: in order). */
  readonly perm: readonly number[] | null;
  /** The transposed shape, 1 for each chain plate the group lacks. */
  readonly shape: readonly number[];
  /** True when the group has some but not all chain plates: broadcast to the full plates before flattening. */
  readonly broadcast: boolean;
  /**
   * Final layout: [B or 1, steps, K] (unary) or [B or 1, steps, K, K] (pairwise, previous variable first);
   * a factorial chain's term on several chains: [B or 1, steps, Π their sizes].
   */
  readonly flat: readonly number[];
}

/**
 * Where a decoded chain's path goes: variable `dim` is the component
 * ⌊state / stride⌋ mod size of the chain's state at step `step`, or, with
 * `time`, of every state from `step` on, along that time dim (a
 * vectorizedMarkov body's variables, whose state is several of them).
 */
export interface ChainOutput {
  readonly dim: Dim;
  readonly stride: number;
  readonly size: number;
  readonly step: number;
  readonly time?: Dim;
}

/** What a ring needs besides the chain's terms: the kernel's batch and where the decoded paths go. */
export interface ChainSpec {
  /** The dims of the kernel's batch, row-major: plates, or (a vectorizedMarkov chain) enumerated variables outside it. */
  readonly batch: readonly Dim[];
  readonly batchShape: readonly number[];
  /** The plates the chain's variables live in (a decoder picks them once per member of each). */
  readonly elimPlates: readonly Dim[];
  readonly outputs: readonly ChainOutput[];
}

export interface ChainStep {
  readonly kind: "chain";
  /** The chain's variables in path order (v_0 first). */
  readonly vars: readonly Dim[];
  /** The ring's view: batch = the chain's plates, one output per variable. */
  readonly spec: ChainSpec;
  /** Number of variables in the chain. */
  readonly length: number;
  /** Their common size. */
  readonly size: number;
  /** The plates the result varies along (its dims), and their sizes. */
  readonly plates: readonly Dim[];
  readonly plateShape: readonly number[];
  readonly unary: readonly ChainGroup[];
  readonly pair: readonly ChainGroup[];
  readonly out: number;
}

export interface ChainContext {
  readonly slotDims: readonly (readonly Dim[])[];
  readonly sizes: ReadonlyMap<Dim, number>;
  readonly isVar: (d: Dim) => boolean;
  /** Dims in a fixed, deterministic order. */
  readonly sorted: (dims: Iterable<Dim>) => Dim[];
}

/** The chain step for eliminating `local` from `slots`, or undefined when they are not a chain. */
export function detectChain(ctx: ChainContext, slots: readonly number[], local: ReadonlySet<Dim>): Omit<ChainStep, "out" | "spec"> | undefined {
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
  const plateShape = plates.map((p) => ctx.sizes.get(p)!);
  const B = plateShape.reduce((a, b) => a * b, 1);
  const kVars = (sym: readonly Dim[]) => {
    const syms = sym.includes("B") ? ["A", "B"] : ["A"];
    const shape = syms.map(() => K);
    return { syms, shape, flat: shape };
  };
  const unary = new GroupSet(n, plates, plateShape, B, kVars);
  const pair = new GroupSet(n - 1, plates, plateShape, B, kVars);
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
  return { kind: "chain", vars: order, length: n, size: K, plates, plateShape, unary: unary.groups(), pair: pair.groups() };
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

/** A group's variables: their symbols in the kernel's order, their sizes, and what they flatten to. */
export type GroupVars = (sym: readonly Dim[]) => { syms: readonly Dim[]; shape: readonly number[]; flat: readonly number[] };

/** Groups factors of one kind by symbolic layout; a second factor of one layout at the same step opens another group. */
export class GroupSet {
  private readonly byKey = new Map<string, { sym: Dim[]; pieceShape: number[]; slots: number[] }[]>();

  constructor(
    private readonly steps: number,
    private readonly plates: readonly Dim[],
    private readonly plateShape: readonly number[],
    private readonly B: number,
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
    for (const list of this.byKey.values()) {
      for (const g of list) {
        const v = this.varsOf(g.sym);
        out.push(layoutGroup(g.sym, g.pieceShape, g.slots, this.plates, this.plateShape, this.B, v.syms, v.shape, v.flat));
      }
    }
    return out;
  }
}

/**
 * The layout of factors stacked over steps: `sym` names each axis of a piece
 * (a plate, or the symbol of a variable), `varSyms` the variables' symbols in
 * the order the kernel wants them (sizes `varShape`), `flatTail` what they
 * flatten to after the batch and step axes.
 */
export function layoutGroup(
  sym: readonly Dim[], pieceShape: readonly number[], slots: readonly number[], plates: readonly Dim[], plateShape: readonly number[], B: number,
  varSyms: readonly Dim[], varShape: readonly number[], flatTail: readonly number[],
): ChainGroup {
  const steps = slots.length;
  const stacked = ["\u0000T", ...sym];
  const present = plates.filter((p) => sym.includes(p));
  const target = [...present, "\u0000T", ...varSyms];
  const perm = target.map((d) => stacked.indexOf(d));
  const shape = [...plates.map((p, i) => (sym.includes(p) ? plateShape[i]! : 1)), steps, ...varShape];
  return {
    slots,
    pieceShape,
    varSyms,
    perm: perm.every((p, i) => p === i) ? null : perm,
    shape,
    broadcast: present.length > 0 && present.length < plates.length,
    flat: [present.length > 0 ? B : 1, steps, ...flatTail],
  };
}
