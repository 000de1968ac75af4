/**
 * A `markov` loop as a time chain. Step t of a first-order loop holds the
 * same factors as step 1 (its sites one after another, the same families on
 * the same kinds of dims), each on the state at t-1 and at t: renamed to
 * step 0's state (prev) and step 1's (curr), the factors of one role stack
 * along a time dim, and the loop reaches the plan as a TimeChain, the same
 * plan step as a vectorizedMarkov body (contract/time-chain-plan.ts). A role
 * that step 0 holds on the same dims (an emission) stacks over all T steps;
 * step 0's other factors are the chain's initial terms. Structure only: the
 * tensors are stacked by stack-steps.ts.
 *
 * A loop is left to the plan's generic route (per-step factors) when it is
 * not such a chain: a step reaching back two steps (history 2), a variable of
 * the loop used outside it, a nested loop, steps of different shapes, or a
 * product state too large: a state of several variables is fused up to
 * MAX_PAIRED_STATES when a transition couples them (the chain kernel pairs
 * the whole state), up to MAX_FACTORIAL_STATES when each has transitions of
 * its own (the factorial kernel applies them apart); a state of one variable
 * has no cap (its pairs are the generic elimination's too).
 */
import { CHAIN_MIN_LENGTH } from "../contract/chain-plan.js";
import type { Dim } from "../contract/factor.js";
import { MAX_FACTORIAL_STATES } from "../contract/factorial-plan.js";
import { MAX_PAIRED_STATES, ownTransition } from "../contract/time-chain-plan.js";


/** Where a collected factor's site sits: one step of one `markov` loop. */
export interface LoopPlace {
  readonly chain: object;
  readonly step: number;
}

/** What the recognition reads of a collected factor. */
export interface FactorShape {
  readonly dims: readonly Dim[];
  readonly sizes: readonly number[];
  readonly ordinal: readonly Dim[];
  /** Its site's loop step, when the site is in exactly one `markov` loop (and no vectorizedMarkov). */
  readonly loop: LoopPlace | undefined;
}

/** A model-enumerated variable of a loop: its step, and its position among that step's enumerated variables. */
export interface LoopVar {
  readonly chain: object;
  readonly step: number;
  readonly index: number;
}

/** The factors of one role, stacked along time. */
export interface LoopRole {
  /** The collected factor at each of the role's steps, `from` .. T-1. */
  readonly members: readonly number[];
  /** 0: every step (the time dim `every`, T long); 1: steps 1..T-1 (`time`, T-1 long). */
  readonly from: 0 | 1;
  /** Per member, the transpose into its first member's order, or null. */
  readonly perms: readonly (readonly number[] | null)[];
  /**
   * Then the axes summed before stacking: plates deeper than the loop's (an
   * emission per tone), a product over their members, taken once per piece
   * rather than on the stacked tensor.
   */
  readonly sumAxes: readonly number[];
  /** The stacked factor's dims after its time dim (the first member's renamed, less the summed), with their sizes. */
  readonly dims: readonly Dim[];
  readonly sizes: readonly number[];
  readonly ordinal: readonly Dim[];
}

/** A plate deeper than the loop's, renamed by its position among a factor's (`${DEEPER}0`, …). */
const DEEPER = "\u0000deeper:";

export interface LoopChain {
  /** T, the number of steps. */
  readonly length: number;
  /** Each step's enumerated variables (its state), in site order, and their sizes. */
  readonly state: readonly (readonly Dim[])[];
  readonly sizes: readonly number[];
  /** Step 0's factors that no role takes (the initial terms, on prev = state[0]). */
  readonly init: readonly number[];
  readonly roles: readonly LoopRole[];
  /** Enumerated variables from outside the loop that its factors use, sorted: the chain runs once per value of them. */
  readonly outer: readonly Dim[];
  /** The plates the loop's variables live in, sorted. */
  readonly plates: readonly Dim[];
}

/**
 * The loops among `factors` that are first-order time chains. `vars` maps
 * each model-enumerated variable of a loop to its step; `isVar` says which
 * dims are enumerated variables (model's or guide's).
 */
export function findLoopChains(
  factors: readonly FactorShape[],
  vars: ReadonlyMap<Dim, LoopVar>,
  isVar: (d: Dim) => boolean,
  varSizes: ReadonlyMap<Dim, number>,
): LoopChain[] {
  const byChain = new Map<object, number[]>();
  factors.forEach((f, i) => {
    if (f.loop === undefined) return;
    let list = byChain.get(f.loop.chain);
    if (list === undefined) byChain.set(f.loop.chain, (list = []));
    list.push(i);
  });
  const out: LoopChain[] = [];
  for (const [chain, members] of byChain) {
    const found = loopChain(chain, members, factors, vars, isVar, varSizes);
    if (found !== undefined) out.push(found);
  }
  return out;
}

function loopChain(
  chain: object,
  members: readonly number[],
  factors: readonly FactorShape[],
  vars: ReadonlyMap<Dim, LoopVar>,
  isVar: (d: Dim) => boolean,
  varSizes: ReadonlyMap<Dim, number>,
): LoopChain | undefined {
  const state = stateOf(chain, vars, varSizes);
  if (state === undefined) return undefined;
  const T = state.length;
  const own = stateSet(state);
  // the loop's variables are used by its own factors only, and its factors use no other loop's variables
  const isMember = new Uint8Array(factors.length);
  for (const i of members) isMember[i] = 1;
  for (let i = 0; i < factors.length; i++) {
    if (isMember[i] === 1) continue;
    for (const d of factors[i]!.dims) if (own.has(d)) return undefined;
  }
  const steps: number[][] = Array.from({ length: T }, () => []);
  const outer = new Set<Dim>();
  for (const i of members) {
    const f = factors[i]!;
    const t = f.loop!.step;
    if (t >= T) return undefined;
    for (const d of f.dims) {
      if (!isVar(d)) continue;
      const v = vars.get(d);
      if (v === undefined) outer.add(d);
      else if (v.chain !== chain || t - v.step < 0 || t - v.step > 1 || (t === 0 && v.step !== 0)) return undefined;
    }
    steps[t]!.push(i);
  }
  const plates = platesOf(state, members, factors);
  if (plates === undefined) return undefined;
  const prev = state[0]!;
  const curr = state[1]!;
  // each member's dims with the loop's variables renamed to prev / curr, and its plates deeper than the loop's
  // renamed by position (Pyro's idiom gives each step its own plate, `tones_${t}`: summed before stacking, only
  // their sizes need to match)
  const renamed: Dim[][] = new Array<Dim[]>(factors.length);
  const ordinals: Dim[][] = new Array<Dim[]>(factors.length);
  for (const i of members) {
    const f = factors[i]!;
    const t = f.loop!.step;
    const deeper = f.ordinal.filter((p) => !plates.includes(p));
    const deepName = (p: Dim) => `${DEEPER}${deeper.indexOf(p)}`;
    ordinals[i] = f.ordinal.map((p) => (plates.includes(p) ? p : deepName(p)));
    const names = new Array<Dim>(f.dims.length);
    for (let k = 0; k < names.length; k++) {
      const d = f.dims[k]!;
      const v = own.has(d) ? vars.get(d)! : undefined;
      names[k] = v !== undefined ? (t - v.step === 1 ? prev[v.index]! : curr[v.index]!) : deeper.includes(d) ? deepName(d) : d;
    }
    renamed[i] = names;
  }
  // the same layout: the same renamed dims with the same sizes (in any order: parities list them differently), the same plates
  const sameLayout = (i: number, h: number): boolean => {
    const a = renamed[i]!;
    const b = renamed[h]!;
    const fa = factors[i]!;
    const fb = factors[h]!;
    if (a.length !== b.length || fa.ordinal.length !== fb.ordinal.length) return false;
    for (let k = 0; k < a.length; k++) {
      const at = b.indexOf(a[k]!);
      if (at < 0 || fb.sizes[at] !== fa.sizes[k]) return false;
    }
    return ordinals[i]!.every((p) => ordinals[h]!.includes(p));
  };
  // roles by position: every step from 1 on holds the same factors in the same order
  const heads = steps[1]!;
  const R = heads.length;
  for (let t = 2; t < T; t++) {
    if (steps[t]!.length !== R || steps[t]!.some((i, j) => !sameLayout(i, heads[j]!))) return undefined;
  }
  const first = steps[0]!;
  const usesPrev = (i: number) => renamed[i]!.some((d) => prev.includes(d));
  const init: number[] = [];
  const roles: LoopRole[] = [];
  const sameAtZero = first.length === R;
  for (let j = 0; j < R; j++) {
    const from: 0 | 1 = sameAtZero && !usesPrev(heads[j]!) && sameLayout(first[j]!, heads[j]!) ? 0 : 1;
    const at = steps.slice(from).map((s) => s[j]!);
    roles.push(role(at, from, factors, renamed, ordinals[at[0]!]!, plates));
  }
  for (let j = 0; j < first.length; j++) if (!sameAtZero || roles[j]!.from === 1) init.push(first[j]!);
  const sizes = state[0]!.map((d) => varSizes.get(d)!);
  if (sizes.length > 1) {
    const perVariable = heads.every((i) => ownTransition(renamed[i]!, prev, curr));
    if (sizes.reduce((a, b) => a * b, 1) > (perVariable ? MAX_FACTORIAL_STATES : MAX_PAIRED_STATES)) return undefined;
  }
  return { length: T, state, sizes, init, roles, outer: [...outer].sort(), plates };
}


/** Every variable of the state at every step (Array.prototype.flat is slow on V8: it was most of this file's time). */
function stateSet(state: readonly (readonly Dim[])[]): Set<Dim> {
  const out = new Set<Dim>();
  for (const vars of state) for (const d of vars) out.add(d);
  return out;
}

/** Each step's enumerated variables, when every step has the same number of them with the same sizes (and enough steps). */
function stateOf(chain: object, vars: ReadonlyMap<Dim, LoopVar>, varSizes: ReadonlyMap<Dim, number>): Dim[][] | undefined {
  const state: Dim[][] = [];
  for (const [d, v] of vars) {
    if (v.chain !== chain) continue;
    (state[v.step] ??= [])[v.index] = d;
  }
  const T = state.length;
  // shorter loops stay per-step factors, as the plan leaves short chains (the stacking costs more than it saves)
  if (T < CHAIN_MIN_LENGTH) return undefined;
  const sizes = (s: readonly Dim[] | undefined) => (s === undefined ? undefined : Array.from(s, (d) => varSizes.get(d)));
  const first = sizes(state[0]);
  if (first === undefined || first.length === 0 || first.some((k) => k === undefined)) return undefined;
  for (let t = 1; t < T; t++) {
    const s = sizes(state[t]);
    if (s === undefined || s.length !== first.length || s.some((k, i) => k !== first[i])) return undefined;
  }
  return state;
}

/**
 * The plates the loop's variables live in (the ones every factor on a
 * variable shares), when all share them; and every factor's other plates
 * must be dims of its own, so the chain can sum them.
 */
function platesOf(state: readonly (readonly Dim[])[], members: readonly number[], factors: readonly FactorShape[]): Dim[] | undefined {
  const own = stateSet(state);
  const shared = new Map<Dim, Dim[]>();
  for (const i of members) {
    const f = factors[i]!;
    for (const d of f.dims) {
      if (!own.has(d)) continue;
      const known = shared.get(d);
      shared.set(d, known === undefined ? [...f.ordinal] : known.filter((p) => f.ordinal.includes(p)));
    }
  }
  const all = [...(shared.get(state[0]![0]!) ?? [])].sort();
  const key = all.join("\u0000");
  for (const v of own) if ([...(shared.get(v) ?? [])].sort().join("\u0000") !== key) return undefined;
  for (const i of members) {
    const f = factors[i]!;
    if (f.ordinal.some((p) => !all.includes(p) && !f.dims.includes(p))) return undefined;
  }
  return all;
}

/** A role's layout: the first member's renamed dims; each other member transposed to them. */
function role(
  members: readonly number[], from: 0 | 1, factors: readonly FactorShape[], renamed: readonly Dim[][], ordinal: readonly Dim[], plates: readonly Dim[],
): LoopRole {
  const head = factors[members[0]!]!;
  const order = renamed[members[0]!]!;
  const deeper = (d: Dim) => ordinal.includes(d) && !plates.includes(d);
  const sumAxes = order.flatMap((d, k) => (deeper(d) ? [k] : []));
  const perms = members.map((i) => {
    const names = renamed[i]!;
    if (names === order || names.every((d, k) => d === order[k])) return null;
    const perm = order.map((d) => names.indexOf(d));
    return perm.every((p, k) => p === k) ? null : perm;
  });
  const kept = (_: unknown, k: number) => !sumAxes.includes(k);
  return { members, from, perms, sumAxes, dims: order.filter(kept), sizes: head.sizes.filter(kept), ordinal: head.ordinal.filter((p) => plates.includes(p)) };
}
