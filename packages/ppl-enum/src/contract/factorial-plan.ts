/**
 * Factorial-chain detection for the plan: when the variables of one plate
 * leaf fall, in the order they first appear, into n slices of M (a markov
 * loop's steps, M chains written one after another in each), every factor
 * mentions one slice or is a transition v^m_{t-1} → v^m_t between
 * neighbouring slices, and those transitions link each slice to the next one
 * to one, the leaf is M chains that meet only in per-step factors (a
 * factorial HMM: the chains' transitions, and an emission on all of them).
 * The greedy elimination would take n·M combine steps (one tfjs op each);
 * this stacks the factors along time as a chain's are (chain-plan.ts) and
 * the plan's TimeChain step eliminates the product state: paired whole up to
 * MAX_PAIRED_STATES, past it by ppl-core's factorial kernel, each chain's
 * transitions applied on their own (n·S·Σ K_m work, S = Π K_m). Pure
 * structure, no tensors: cached with the plan.
 */
import { CHAIN_MIN_LENGTH, type ChainContext, type FoundChains, GroupSet } from "./chain-plan.js";
import type { Dim } from "./factor.js";

/** The most chains tried, and the largest product state fused (beyond it the kernel's S-vectors stop being cheap). */
const MAX_FACTORIAL_CHAINS = 12;
export const MAX_FACTORIAL_STATES = 1 << 20;

/** The M ≥ 2 chains eliminating `local` from `slots`, or undefined when they are not chains of this shape. */
export function detectFactorial(ctx: ChainContext, slots: readonly number[], local: ReadonlySet<Dim>): FoundChains | undefined {
  const vars = ctx.sorted(local);
  const varsOf: Dim[][] = [];
  for (const s of slots) {
    const vs = ctx.slotDims[s]!.filter(ctx.isVar);
    if (vs.length === 0 || vs.some((v) => !local.has(v))) return undefined;
    varsOf.push(vs);
  }
  for (let M = 2; M <= MAX_FACTORIAL_CHAINS; M++) {
    if (vars.length % M !== 0 || vars.length / M < CHAIN_MIN_LENGTH) continue;
    const found = slicesOf(ctx, vars, varsOf, M);
    if (found !== undefined) return layout(ctx, slots, varsOf, found.chains, found.sizes);
  }
  return undefined;
}

/** The chains (chains[m][t]) when consecutive blocks of M variables are the slices, else undefined. */
function slicesOf(ctx: ChainContext, vars: readonly Dim[], varsOf: readonly Dim[][], M: number): { chains: Dim[][]; sizes: number[] } | undefined {
  const slice = new Map(vars.map((v, i) => [v, Math.floor(i / M)]));
  const next = new Map<Dim, Dim>();
  const prev = new Map<Dim, Dim>();
  for (const vs of varsOf) {
    const ts = vs.map((v) => slice.get(v)!);
    const lo = Math.min(...ts);
    const hi = Math.max(...ts);
    if (hi === lo) continue;
    if (hi - lo > 1 || vs.length !== 2) return undefined;
    const [a, b] = ts[0] === lo ? [vs[0]!, vs[1]!] : [vs[1]!, vs[0]!];
    if ((next.get(a) ?? b) !== b || (prev.get(b) ?? a) !== a) return undefined;
    next.set(a, b);
    prev.set(b, a);
  }
  const n = vars.length / M;
  if (next.size !== (n - 1) * M) return undefined;
  const chains = vars.slice(0, M).map((v) => [v]);
  const sizes = chains.map(([v]) => ctx.sizes.get(v!)!);
  for (const [m, chain] of chains.entries()) {
    for (let t = 1; t < n; t++) {
      const v = next.get(chain[t - 1]!);
      if (v === undefined || ctx.sizes.get(v) !== sizes[m]) return undefined;
      chain.push(v);
    }
  }
  if (sizes.reduce((a, b) => a * b, 1) > MAX_FACTORIAL_STATES) return undefined;
  return { chains, sizes };
}

function layout(ctx: ChainContext, slots: readonly number[], varsOf: readonly Dim[][], chains: readonly Dim[][], sizes: readonly number[]): FoundChains {
  const n = chains[0]!.length;
  const where = new Map<Dim, { m: number; t: number }>();
  chains.forEach((c, m) => c.forEach((v, t) => where.set(v, { m, t })));
  const plates = ctx.sorted(new Set(slots.flatMap((s) => ctx.slotDims[s]!.filter((d) => !ctx.isVar(d)))));
  const chainSym = (m: number): Dim => `\u0000c${m}`;
  const chainsIn = (sym: readonly Dim[]) => sizes.flatMap((_, m) => (sym.includes(chainSym(m)) ? [m] : []));
  const unary = new GroupSet(n, plates, (sym) => chainsIn(sym).map(chainSym));
  const pairs = sizes.map(() => new GroupSet(n - 1, plates, () => ["A", "B"]));
  slots.forEach((s, i) => {
    const dims = ctx.slotDims[s]!;
    const pieceShape = dims.map((d) => ctx.sizes.get(d)!);
    const at = varsOf[i]!.map((v) => where.get(v)!);
    const t0 = Math.min(...at.map((x) => x.t));
    if (at.every((x) => x.t === t0)) {
      unary.add(s, t0, dims.map((d) => (ctx.isVar(d) ? chainSym(where.get(d)!.m) : d)), pieceShape);
    } else {
      pairs[at[0]!.m]!.add(s, t0, dims.map((d) => (ctx.isVar(d) ? (where.get(d)!.t === t0 ? "A" : "B") : d)), pieceShape);
    }
  });
  const unaryGroups = unary.groups().map((group) => ({ group, chains: group.varSyms.map((c) => Number(c.slice(2))) }));
  return {
    vars: Array.from({ length: n }, (_, t) => chains.map((c) => c[t]!)),
    length: n, sizes, plates,
    unary: unaryGroups,
    pairs: pairs.map((g) => g.groups()),
  };
}
