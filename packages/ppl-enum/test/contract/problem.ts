/**
 * Plated factor problems for the contraction tests: how they are written
 * (Pyro's equation strings, or a seeded random generator), how they are
 * unrolled for the oracle (naive_ubersum's flattening), and how they become
 * ppl PlacedFactors.
 */
import { makeRng } from "ppl-core";
import type { FlatFactor, FlatProblem } from "./oracle.js";

export interface PFactor {
  /** Named axes: enumerated variables and plates (a plate the factor lacks means constant along it). */
  readonly dims: readonly string[];
  /** The plates the factor sits in; its plate dims are a subset. */
  readonly ordinal: readonly string[];
  /** Log values, row-major over dims (float64). */
  readonly values: Float64Array;
}

export interface Problem {
  /** The size of every variable and plate. */
  readonly sizes: ReadonlyMap<string, number>;
  readonly plates: ReadonlySet<string>;
  readonly factors: readonly PFactor[];
}

/** Seeded uniforms in [0, 1): ppl-core's mulberry32. */
export const rng = makeRng;

export function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

export const varsOf = (p: Problem): string[] =>
  [...new Set(p.factors.flatMap((f) => f.dims.filter((d) => !p.plates.has(d))))].sort();

/**
 * A Pyro ubersum equation: every letter is a dim, the letters in `plates`
 * are plates; a factor's ordinal is the plates it mentions; sizes cycle over
 * `cycle` in sorted symbol order (Pyro's make_example).
 */
export function fromEquation(
  equation: string,
  plates: string,
  opts: { seed?: number; fill?: number; cycle?: readonly number[]; sizes?: Readonly<Record<string, number>> } = {},
): Problem {
  const inputs = equation.split("->")[0]!.split(",");
  const symbols = [...new Set(inputs.join(""))].sort();
  const cycle = opts.cycle ?? [2, 3];
  const sizes = new Map(symbols.map((s, i) => [s, opts.sizes?.[s] ?? cycle[i % cycle.length]!]));
  const u = rng(opts.seed ?? 1);
  const factors = inputs.map((input) => {
    const dims = [...input];
    const n = dims.reduce((a, d) => a * sizes.get(d)!, 1);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = opts.fill ?? normal(u);
    return { dims, ordinal: dims.filter((d) => plates.includes(d)), values };
  });
  return { sizes, plates: new Set(plates), factors };
}

/** Unrolled form: which flat variable each (variable, plate index) is. */
export interface Unrolled {
  readonly flat: FlatProblem;
  /** Per variable: the plates it is copied along (the intersection of its factors' ordinals) and its flat ids, row-major over them. */
  readonly copies: ReadonlyMap<string, { plates: string[]; ids: number[] }>;
}

function* indices(sizes: readonly number[]): Generator<number[]> {
  const n = sizes.reduce((a, b) => a * b, 1);
  for (let c = 0; c < n; c++) {
    const idx = new Array<number>(sizes.length);
    let rem = c;
    for (let i = sizes.length - 1; i >= 0; i--) {
      idx[i] = rem % sizes[i]!;
      rem = Math.floor(rem / sizes[i]!);
    }
    yield idx;
  }
}

const rowMajor = (idx: readonly number[], sizes: readonly number[]): number =>
  idx.reduce((acc, x, i) => acc * sizes[i]! + x, 0);

export function unroll(p: Problem): Unrolled {
  const size = (d: string) => p.sizes.get(d)!;
  const copies = new Map<string, { plates: string[]; ids: number[] }>();
  const flatSizes: number[] = [];
  for (const v of varsOf(p)) {
    const owners = p.factors.filter((f) => f.dims.includes(v));
    const plates = [...p.plates].filter((pl) => owners.every((f) => f.ordinal.includes(pl))).sort();
    const n = plates.reduce((a, pl) => a * size(pl), 1);
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push(flatSizes.push(size(v)) - 1);
    copies.set(v, { plates, ids });
  }
  const factors: FlatFactor[] = [];
  for (const f of p.factors) {
    const ord = [...f.ordinal].sort();
    const ordSizes = ord.map(size);
    const vars = f.dims.filter((d) => !p.plates.has(d));
    const dimSizes = f.dims.map(size);
    const varSizes = vars.map(size);
    for (const at of indices(ordSizes)) {
      const plateIdx = new Map(ord.map((pl, i) => [pl, at[i]!]));
      const flatVars = vars.map((v) => {
        const c = copies.get(v)!;
        return c.ids[rowMajor(c.plates.map((pl) => plateIdx.get(pl)!), c.plates.map(size))]!;
      });
      const values = new Float64Array(varSizes.reduce((a, b) => a * b, 1));
      let o = 0;
      for (const vi of indices(varSizes)) {
        const full = f.dims.map((d) => (p.plates.has(d) ? plateIdx.get(d)! : vi[vars.indexOf(d)]!));
        values[o++] = f.values[rowMajor(full, dimSizes)]!;
      }
      factors.push({ vars: flatVars, values });
    }
  }
  return { flat: { sizes: flatSizes, factors }, copies };
}

/** The same problem with one factor value moved by h (for finite differences). */
export function perturbed(p: Problem, factor: number, entry: number, h: number): Problem {
  const factors = p.factors.map((f, i) => {
    if (i !== factor) return f;
    const values = Float64Array.from(f.values);
    values[entry] = values[entry]! + h;
    return { ...f, values };
  });
  return { ...p, factors };
}

/**
 * A seeded random problem with tree-structured plates: each plate is nested
 * in an earlier one or at the top, every factor sits in one node of that
 * tree (a root path), mentions variables homed at that node or above, and
 * has every plate of its node as a dim, except (sometimes) a plate none of
 * its variables lives in. Each variable also gets a "prior"
 * factor at its home node; the prior may lack the node's plates (constant
 * along them; a root that lacks them counts once per member), as an enumerated
 * Categorical with global logits reaches the plan from collectTerms. Sizes 1
 * to 3 (size 1 is dropped from ppl factors, as collectTerms does).
 */
export function randomProblem(seed: number, maxFlatVars = 14): Problem {
  for (let attempt = 0; ; attempt++) {
    const u = rng(seed * 7919 + attempt);
    const int = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
    const sizes = new Map<string, number>();
    const nPlates = int(0, 3);
    const plateNames = ["i", "j", "k"].slice(0, nPlates);
    const nodes: string[][] = [[]];
    for (const pl of plateNames) {
      const parent = nodes[int(0, nodes.length - 1)]!;
      nodes.push([...parent, pl]);
      sizes.set(pl, u() < 0.15 ? 1 : int(2, 3));
    }
    const nVars = int(1, 5);
    const varNames = ["a", "b", "c", "d", "e"].slice(0, nVars);
    const home = new Map<string, string[]>();
    for (const v of varNames) {
      home.set(v, nodes[int(0, nodes.length - 1)]!);
      sizes.set(v, u() < 0.1 ? 1 : int(2, 3));
    }
    const factors: PFactor[] = [];
    const nFactors = int(1, 6);
    const within = (inner: string[], outer: string[]) => inner.every((x) => outer.includes(x));
    for (let f = 0; f < nFactors; f++) {
      const node = nodes[int(0, nodes.length - 1)]!;
      const allowed = varNames.filter((v) => within(home.get(v)!, node));
      const vars = allowed.filter(() => u() < 0.45);
      // a plate none of its variables lives in may be missing (constant along it): the plan multiplies
      // by the plate's size when it sums that plate out
      const real = vars.filter((v) => sizes.get(v)! > 1);
      const platesIn = node.filter((pl) => real.length === 0 || real.some((v) => home.get(v)!.includes(pl)) || u() < 0.7);
      const dims = [...vars, ...platesIn].sort(() => u() - 0.5);
      const n = dims.reduce((a, d) => a * sizes.get(d)!, 1);
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = 1.5 * normal(u);
      factors.push({ dims, ordinal: node, values });
    }
    // every variable homed at its node: one factor there mentions it
    for (const v of varNames) {
      const node = home.get(v)!;
      // (a size-1 variable is no dim at all: its prior would be a constant, which collectTerms sends to the costs instead)
      const dims = sizes.get(v)! > 1 && u() < 0.5 ? [v] : [v, ...node];
      const n = dims.reduce((a, d) => a * sizes.get(d)!, 1);
      const values = new Float64Array(n);
      for (let i = 0; i < n; i++) values[i] = normal(u);
      factors.push({ dims, ordinal: node, values });
    }
    const problem: Problem = { sizes, plates: new Set(plateNames), factors };
    const flat = unroll(problem).flat;
    if (flat.sizes.length <= maxFlatVars && flat.sizes.reduce((a, b) => a * b, 1) <= 1 << 16) return problem;
  }
}

/**
 * A seeded first-order chain v0 — v1 — … (3 to 6 variables of one size) in
 * zero to two nested plates: a prior on v0 (sometimes constant along the
 * plates), a transition factor per neighbour pair (sometimes written with the
 * later variable first, sometimes constant along a plate), one or two
 * emissions per variable. This is the shape the plan fuses into one chain step.
 */
export function randomChain(seed: number): Problem {
  const u = rng(seed * 104729 + 1);
  const int = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
  const n = int(3, 6);
  const K = int(2, 3);
  const plates = ["i", "j"].slice(0, int(0, 2));
  const sizes = new Map<string, number>(plates.map((pl) => [pl, int(2, 3)]));
  const vars = Array.from({ length: n }, (_, t) => `v${t}`);
  for (const v of vars) sizes.set(v, K);
  const factors: PFactor[] = [];
  const add = (dims: string[]) => {
    const m = dims.reduce((a, d) => a * sizes.get(d)!, 1);
    const values = new Float64Array(m);
    for (let i = 0; i < m; i++) values[i] = normal(u);
    factors.push({ dims, ordinal: plates, values });
  };
  add(u() < 0.5 ? ["v0"] : ["v0", ...plates]);
  for (let t = 1; t < n; t++) {
    const pair = u() < 0.3 ? [vars[t]!, vars[t - 1]!] : [vars[t - 1]!, vars[t]!];
    add([...pair, ...plates.filter(() => u() < 0.7)]);
  }
  for (const v of vars) {
    add([...plates, v]);
    if (u() < 0.3) add([v, ...plates]);
  }
  return { sizes, plates: new Set(plates), factors };
}

/**
 * A seeded problem over two side-by-side plates i and j and their product
 * {i, j}: variables homed at {}, {i}, {j} or {i, j}, factors at any of the four
 * nodes. Such a problem may be non-tree; `nonTree` says when, independently of
 * the plan: when factors in {i, j}, connected through variables homed there,
 * mention both a variable of {i} and a variable of {j}.
 */
export function randomSideBySide(seed: number): { problem: Problem; nonTree: boolean } {
  const u = rng(seed * 15485863 + 7);
  const int = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
  const nodes = [[], ["i"], ["j"], ["i", "j"]];
  const sizes = new Map<string, number>([["i", int(2, 3)], ["j", int(2, 3)]]);
  const varNames = ["a", "b", "c", "d"].slice(0, int(2, 4));
  const home = new Map<string, string[]>();
  for (const v of varNames) {
    home.set(v, nodes[int(0, 3)]!);
    sizes.set(v, int(2, 3));
  }
  const factors: PFactor[] = [];
  const add = (dims: string[], ordinal: string[]) => {
    const m = dims.reduce((a, d) => a * sizes.get(d)!, 1);
    const values = new Float64Array(m);
    for (let k = 0; k < m; k++) values[k] = normal(u);
    factors.push({ dims, ordinal, values });
  };
  for (let f = int(1, 5); f > 0; f--) {
    const node = u() < 0.4 ? nodes[3]! : nodes[int(0, 3)]!;
    // at most three variables a factor, so the oracle's brute force stays small
    const vars = varNames.filter((v) => home.get(v)!.every((p) => node.includes(p)) && u() < 0.6).slice(0, 3);
    add([...vars, ...node], node);
  }
  for (const v of varNames) add([v, ...home.get(v)!], home.get(v)!);

  // groups of {i,j} factors joined by variables homed at {i,j}
  const key = (o: readonly string[]) => [...o].sort().join("");
  const inner = factors.filter((f) => key(f.ordinal) === "ij");
  const parent = inner.map((_, k) => k);
  const find = (k: number): number => (parent[k] === k ? k : (parent[k] = find(parent[k]!)));
  for (const v of varNames.filter((x) => key(home.get(x)!) === "ij")) {
    const owners = inner.map((f, k) => (f.dims.includes(v) ? k : -1)).filter((k) => k >= 0);
    for (const k of owners.slice(1)) parent[find(k)] = find(owners[0]!);
  }
  const touches = new Map<number, Set<string>>();
  inner.forEach((f, k) => {
    const r = find(k);
    if (!touches.has(r)) touches.set(r, new Set());
    for (const d of f.dims) if (home.has(d)) touches.get(r)!.add(key(home.get(d)!));
  });
  const nonTree = [...touches.values()].some((t) => t.has("i") && t.has("j"));
  return { problem: { sizes, plates: new Set(["i", "j"]), factors }, nonTree };
}
