// Pyro's tests/ops/test_contract.py, the ubersum cases, ported to ppl's plan
// (buildPlan + runPlan). Pyro's equations name enumerated dims a-h and plates
// i-k; a factor's ordinal is the plates it mentions. ppl's plan contracts
// every enumerated variable (no target dims), so Pyro's outputs are checked
// as: '' -> the log ring's total; outputs with enumerated dims -> the
// posterior marginals of the sample ring's draws (and the max ring's MAP).
// The oracle is the unrolled float64 contraction in ./oracle.ts or, where
// Pyro's test writes one, Pyro's own closed form written out in JS.
import { describe, expect, it } from "vitest";
import { PPLModelError, PPLShapeError } from "ppl-core";
import { buildPlan } from "../../src/contract/plan.js";
import { checkLog, checkMax, checkSample, close } from "./check.js";
import { logSumExp } from "./oracle.js";
import { fromEquation, normal, type Problem, rng, unroll } from "./problem.js";
import { logTotal, runRing, sampleDraws } from "./run.js";
import { logRing } from "../../src/contract/rings.js";

// Pyro's UBERSUM_EXAMPLES (equation, plates)
const UBERSUM_EXAMPLES: [string, string][] = [
  ["->", ""],
  ["a->,a", ""],
  ["ab->,a,b,ab,ba", ""],
  ["ab,bc->,a,b,c,ab,bc,ac,abc", ""],
  ["ab,bc,cd->,a,b,c,d,ab,ac,ad,bc,bd,cd,abc,acd,bcd,abcd", ""],
  ["i->,i", "i"],
  [",i->,i", "i"],
  [",i,i->,i", "i"],
  [",i,ia->,i,ia", "i"],
  [",i,i,ia,ia->,i,ia", "i"],
  ["bi,ia->,i,ia,ib,iab", "i"],
  ["abi,b->,b,ai,abi", "i"],
  ["ia,ja,ija->,a,i,ia,j,ja,ija", "ij"],
  ["i,jb,ijab->,i,j,jb,ij,ija,ijb,ijab", "ij"],
  ["ia,jb,ijab->,i,ia,j,jb,ij,ija,ijb,ijab", "ij"],
  [",i,j,a,ij,ia,ja,ija->,a,i,j,ia,ja,ij,ija", "ij"],
  ["a,b,c,di,ei,fj->,a,b,c,di,ei,fj", "ij"],
  ["ija,ika->,i,j,k,ij,ik,ijk,ia,ija,ika,ijka", "ijk"],
  [",ia,ija,ika->,i,j,k,ij,ik,ijk,ia,ija,ika,ijka", "ijk"],
  ["ab,bci->,a,b,ab,i,ai,bi,ci,abi,bci,abci", "i"],
  ["ab,bci,bdi->,a,b,ab,i,ai,bi,ci,abi,bci,bdi,cdi,abci,abdi,abcdi", "i"],
  ["ab,bcij->,a,b,ab,i,j,ij,ai,aj,aij,bi,bj,aij,bij,cij,abij,acij,bcij,abcij", "ij"],
  ["abi,bcij->,i,ai,bi,abi,j,ij,aij,bij,cij,abij,bcij,abcij", "ij"],
  ["ab,bcdi,deij->,a,b,ci,di,eij", "ij"],
  ["ab,bcdi,defij,fgijk->,a,b,ci,di,eij,fij,gijk", "ijk"],
  ["aik,bij,abci,cd,dej,eij->,ai,bi,ej,aik,bij,eij", "ijk"],
  ["aij,abi,bc,cdj,dij->,bi,cj,aij,dij,adij", "ij"],
];

// Pyro's ubersum raises NotImplementedError (and its test skips) exactly where the plates are not a tree:
// a in {i} and b in {j} meet in a factor in {i, j}.
const NON_TREE = new Set(["ia,jb,ijab->,i,ia,j,jb,ij,ija,ijb,ijab"]);

function expectTreeError(p: Problem, plates: string[]): void {
  let err: unknown;
  try {
    logTotal(p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(PPLModelError);
  const msg = (err as Error).message;
  expect(msg).toMatch(/tree-structured plate nesting/);
  for (const pl of plates) expect(msg).toContain(`plate '${pl}'`);
}

describe("test_ubersum", () => {
  UBERSUM_EXAMPLES.forEach(([equation, plates], n) => {
    it(`test_ubersum[${equation}-${plates}]`, () => {
      const p = fromEquation(equation, plates, { seed: 100 + n });
      if (NON_TREE.has(equation)) return expectTreeError(p, [...plates]);
      checkLog(p);
      checkLog(p, true);
      checkMax(p);
      // the outputs with enumerated dims: every marginal, joint where small (sampled, 4σ)
      checkSample(p, 200 + n, 3000);
    });
  });
});

// Pyro's test_ubersum_total: every factor filled with 1 (log space), sizes 2. The total is closed-form:
// (number of unrolled factors) + (number of unrolled variables) * log 2, and every variable is uniform.
const TOTAL_EXAMPLES: [string, string][] = [
  ["i->", "i"], ["i->i", "i"], [",i->", "i"], [",i->i", "i"], ["ai->", "i"], ["ai->i", "i"], ["ai->ai", "i"],
  [",ai,abij->aij", "ij"], ["a,ai,bij->bij", "ij"], ["a,ai,abij->bij", "ij"], ["a,abi,bcij->a", "ij"],
  ["a,abi,bcij->bi", "ij"], ["a,abi,bcij->bij", "ij"], ["a,abi,bcij->cij", "ij"], ["ab,bcdi,deij->eij", "ij"],
];

describe("test_ubersum_total", () => {
  TOTAL_EXAMPLES.forEach(([equation, plates], n) => {
    it(`test_ubersum_total[${equation}-${plates}]`, () => {
      const p = fromEquation(equation, plates, { fill: 1, cycle: [2] });
      const copies = (dims: string[]) => 2 ** dims.filter((d) => plates.includes(d)).length;
      const nFactors = p.factors.reduce((a, f) => a + copies([...f.dims]), 0);
      // a variable is copied along the plates all its factors share
      const vars = [...new Set(p.factors.flatMap((f) => f.dims.filter((d) => !plates.includes(d))))];
      const nVars = vars.reduce((a, v) => {
        const shared = [...plates].filter((pl) => p.factors.every((f) => !f.dims.includes(v) || f.dims.includes(pl)));
        return a + copies(shared);
      }, 0);
      const expected = nFactors + nVars * Math.log(2);
      expect(close(logTotal(p).total, expected)).toBe(true);
      expect(close(runRing(p, logRing).total, expected)).toBe(true);
      checkSample(p, 300 + n, 2000);
    });
  });
});

describe("test_ubersum_sizes", () => {
  // 'ab,bc,cd->a,b,c,d' with plates a, d; each size 1 or not (size-1 dims are dropped from ppl factors)
  for (const a of [2, 1]) for (const b of [3, 1]) for (const c of [3, 1]) for (const d of [4, 1]) {
    it(`test_ubersum_sizes[${a}-${b}-${c}-${d}]`, () => {
      const p = fromEquation("ab,bc,cd->", "ad", { seed: a * 1000 + b * 100 + c * 10 + d, sizes: { a, b, c, d } });
      checkLog(p);
      checkMax(p);
    });
  }
});

const randn = (u: () => number, ...shape: number[]) => {
  const n = shape.reduce((x, y) => x * y, 1);
  return Array.from({ length: n }, () => normal(u));
};
const at = (shape: readonly number[]) => (...idx: number[]) => idx.reduce((acc, x, i) => acc * shape[i]! + x, 0);

describe("test_ubersum_1..5: Pyro's closed forms", () => {
  it("test_ubersum_1", () => {
    // y {a}   z {b}
    //      \  /
    //     x {}  <--- target
    const [A, B, C, D, E] = [2, 3, 4, 5, 6];
    const u = rng(11);
    const x = randn(u, C), y = randn(u, C, D, A), z = randn(u, E, C, B);
    const iy = at([C, D, A]), iz = at([E, C, B]);
    const perC = Array.from({ length: C }, (_, c) => {
      let s = x[c]!;
      for (let a = 0; a < A; a++) s += logSumExp(Array.from({ length: D }, (_, d) => y[iy(c, d, a)]!));
      for (let b = 0; b < B; b++) s += logSumExp(Array.from({ length: E }, (_, e) => z[iz(e, c, b)]!));
      return s;
    });
    const p: Problem = {
      sizes: new Map([["a", A], ["b", B], ["c", C], ["d", D], ["e", E]]),
      plates: new Set(["a", "b"]),
      factors: [
        { dims: ["c"], ordinal: [], values: Float64Array.from(x) },
        { dims: ["c", "d", "a"], ordinal: ["a"], values: Float64Array.from(y) },
        { dims: ["e", "c", "b"], ordinal: ["b"], values: Float64Array.from(z) },
      ],
    };
    expect(close(logTotal(p).total, logSumExp(perC))).toBe(true);
  });

  it("test_ubersum_3", () => {
    //       z {b,c}
    //           |
    // w {a}  y {b}  <--- target
    //      \  /
    //     x {}
    const [A, B, C, D, E] = [2, 3, 4, 5, 6];
    const u = rng(13);
    const w = randn(u, A, E), x = randn(u, D), y = randn(u, B, D), z = randn(u, B, C, D, E);
    const iw = at([A, E]), iy = at([B, D]), iz = at([B, C, D, E]);
    // Pyro's steps: eliminate plate c, then plate b, then plate a, then d; e is left (the target)
    const wxyz: number[][] = [];
    for (let d = 0; d < D; d++) {
      wxyz.push([]);
      for (let e = 0; e < E; e++) {
        let s = x[d]!;
        for (let a = 0; a < A; a++) s += w[iw(a, e)]!;
        for (let b = 0; b < B; b++) {
          s += y[iy(b, d)]!;
          for (let c = 0; c < C; c++) s += z[iz(b, c, d, e)]!;
        }
        wxyz[d]!.push(s);
      }
    }
    const perE = Array.from({ length: E }, (_, e) => logSumExp(wxyz.map((row) => row[e]!)));
    const p: Problem = {
      sizes: new Map([["a", A], ["b", B], ["c", C], ["d", D], ["e", E]]),
      plates: new Set(["a", "b", "c"]),
      factors: [
        { dims: ["a", "e"], ordinal: ["a"], values: Float64Array.from(w) },
        { dims: ["d"], ordinal: [], values: Float64Array.from(x) },
        { dims: ["b", "d"], ordinal: ["b"], values: Float64Array.from(y) },
        { dims: ["b", "c", "d", "e"], ordinal: ["b", "c"], values: Float64Array.from(z) },
      ],
    };
    const total = logSumExp(perE);
    expect(close(logTotal(p).total, total)).toBe(true);
    // the target: e's posterior marginal, sampled
    expectMarginal(p, "e", [perE.map((v) => Math.exp(v - total))], 31);
  });

  it("test_ubersum_4", () => {
    // x,y {b}  <--- target
    //      |
    //     {}
    // (Pyro's letters: plate d; variables a, b, c; target: c in plate d)
    const [A, B, C, D] = [2, 3, 4, 5];
    const u = rng(17);
    const x = randn(u, A, B), y = randn(u, D, B, C);
    const ix = at([A, B]), iy = at([D, B, C]);
    const xB = Array.from({ length: B }, (_, b) => logSumExp(Array.from({ length: A }, (_, a) => x[ix(a, b)]!)));
    const yDB = (d: number, b: number) => logSumExp(Array.from({ length: C }, (_, c) => y[iy(d, b, c)]!));
    // inclusion-exclusion: the other members of plate d, summed over their c
    const yDBC = (d: number, b: number, c: number) => {
      let s = 0;
      for (let dd = 0; dd < D; dd++) s += yDB(dd, b);
      return s - yDB(d, b) + y[iy(d, b, c)]!;
    };
    const xyDC = Array.from({ length: D }, (_, d) =>
      Array.from({ length: C }, (_, c) => logSumExp(Array.from({ length: B }, (_, b) => xB[b]! + yDBC(d, b, c)))));
    const p: Problem = {
      sizes: new Map([["a", A], ["b", B], ["c", C], ["d", D]]),
      plates: new Set(["d"]),
      factors: [
        { dims: ["a", "b"], ordinal: [], values: Float64Array.from(x) },
        { dims: ["d", "b", "c"], ordinal: ["d"], values: Float64Array.from(y) },
      ],
    };
    const total = logSumExp(xyDC[0]!);
    expect(close(logTotal(p).total, total)).toBe(true);
    expectMarginal(p, "c", xyDC.map((row) => row.map((v) => Math.exp(v - logSumExp(row)))), 41);
  });

  it("test_ubersum_5", () => {
    // z {ij}  <--- target
    //     |
    //  y {i}
    //     |
    //  x {}
    const [I, J, A, B, C] = [2, 3, 6, 5, 4];
    const u = rng(19);
    const x = randn(u, A), y = randn(u, A, B, I), z = randn(u, B, C, I, J);
    const iy = at([A, B, I]), iz = at([B, C, I, J]);
    // Pyro's steps: contract plate j (s1, p1, q1), then plate i (x2, s2, p2, q2), then einsum a,a,abi,bcij->cij
    const s1 = (b: number, i: number, j: number) => logSumExp(Array.from({ length: C }, (_, c) => z[iz(b, c, i, j)]!));
    const p1 = (b: number, i: number) => Array.from({ length: J }, (_, j) => s1(b, i, j)).reduce((s, v) => s + v, 0);
    const q1 = (b: number, c: number, i: number, j: number) => z[iz(b, c, i, j)]! - s1(b, i, j);
    const x2 = (a: number, b: number, i: number) => y[iy(a, b, i)]! + p1(b, i);
    const s2 = (a: number, i: number) => logSumExp(Array.from({ length: B }, (_, b) => x2(a, b, i)));
    const p2 = (a: number) => Array.from({ length: I }, (_, i) => s2(a, i)).reduce((s, v) => s + v, 0);
    const q2 = (a: number, b: number, i: number) => x2(a, b, i) - s2(a, i);
    const cij = (c: number, i: number, j: number) => {
      const terms: number[] = [];
      for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) terms.push(x[a]! + p2(a) + q2(a, b, i) + q1(b, c, i, j));
      return logSumExp(terms);
    };
    const p: Problem = {
      sizes: new Map([["a", A], ["b", B], ["c", C], ["i", I], ["j", J]]),
      plates: new Set(["i", "j"]),
      factors: [
        { dims: ["a"], ordinal: [], values: Float64Array.from(x) },
        { dims: ["a", "b", "i"], ordinal: ["i"], values: Float64Array.from(y) },
        { dims: ["b", "c", "i", "j"], ordinal: ["i", "j"], values: Float64Array.from(z) },
      ],
    };
    // the total: Σ_c of the target at any (i, j)
    expect(close(logTotal(p).total, logSumExp(Array.from({ length: C }, (_, c) => cij(c, 0, 0))))).toBe(true);
    const marg: number[][] = [];
    for (let i = 0; i < I; i++) for (let j = 0; j < J; j++) {
      const row = Array.from({ length: C }, (_, c) => cij(c, i, j));
      marg.push(row.map((v) => Math.exp(v - logSumExp(row))));
    }
    expectMarginal(p, "c", marg, 51);
  });
});

/** Sampled marginals of each copy of `v` (row-major over its plates) within 4σ of `exact`. */
function expectMarginal(p: Problem, v: string, exact: number[][], seed: number, n = 4000): void {
  const u = unroll(p);
  const ids = u.copies.get(v)!.ids;
  expect(ids.length).toBe(exact.length);
  const draws = sampleDraws(p, u, n, rng(seed));
  ids.forEach((id, k) => {
    exact[k]!.forEach((prob, val) => {
      const f = draws.filter((d) => d[id] === val).length / n;
      expect(Math.abs(f - prob), `${v} copy ${k} = ${val}: frequency ${f}, exact ${prob}`)
        .toBeLessThanOrEqual(4 * Math.sqrt((prob * (1 - prob)) / n) + 3 / n + 1e-3);
    });
  });
}

describe("test_ubersum_collide", () => {
  const u = rng(23);
  const problem = (dims: string[][], sizes: Record<string, number>): Problem => ({
    sizes: new Map(Object.entries(sizes)),
    plates: new Set(["a", "b"]),
    factors: dims.map((d) => ({
      dims: d, ordinal: d.filter((x) => x === "a" || x === "b"),
      values: Float64Array.from(randn(u, ...d.map((x) => sizes[x]!))),
    })),
  });
  const sizes = { a: 2, b: 3, c: 4, d: 5 };

  it("test_ubersum_collide_implemented: non-tree plates are a PPLModelError naming the plates", () => {
    //   z {a,b}
    //     /   \
    // x {a}  y {b}
    //      \  /
    //       {}  <--- target
    expectTreeError(problem([["a", "c"], ["b", "d"], ["a", "b", "c", "d"]], sizes), ["a", "b"]);
  });

  it("test_ubersum_collide_ok_1: two connected components", () => {
    const p = problem([["a", "c"], ["b", "d"], ["a", "b", "c"], ["a", "b", "d"]], sizes);
    checkLog(p);
    checkMax(p);
    checkSample(p, 61, 3000);
  });

  it("test_ubersum_collide_ok_2: z1 contracts to x, z2 to y", () => {
    const p = problem([["c", "d"], ["a", "c"], ["b", "d"], ["a", "b", "c"], ["a", "b", "d"]], sizes);
    checkLog(p);
    checkMax(p);
    checkSample(p, 62, 3000);
  });

  it("test_ubersum_collide_ok_3: x, y and z contract to w independently", () => {
    const p = problem([["c"], ["a", "c"], ["b", "c"], ["a", "b", "c"]], { a: 2, b: 3, c: 4 });
    checkLog(p);
    checkMax(p);
    checkSample(p, 63, 3000);
  });
});

describe("test_ubersum_size_error", () => {
  // Pyro's UBERSUM_SHAPE_ERRORS: 'ab,bc->' with shapes (2, 3), (4, 5), without and with plate b
  for (const plates of ["", "b"]) {
    it(`test_ubersum_size_error[ab,bc->-${plates}]`, () => {
      const sigs = [
        { dims: ["a", "b"], sizes: [2, 3], ordinal: plates === "b" ? ["b"] : [] },
        { dims: ["b", "c"], sizes: [4, 5], ordinal: plates === "b" ? ["b"] : [] },
      ];
      const isPlate = (d: string) => plates.includes(d);
      const vars = new Set(["a", "b", "c"].filter((d) => !isPlate(d)));
      const plateSizes = new Map(plates === "b" ? [["b", 3]] : []);
      const label = (d: string) => (isPlate(d) ? `plate '${d}'` : `'${d}'`);
      expect(() => buildPlan(sigs, vars, plateSizes, label)).toThrow(PPLShapeError);
      expect(() => buildPlan(sigs, vars, plateSizes, label)).toThrow(`${label("b")} has size 3 in one factor and 4 in another`);
    });
  }
});

describe("test_partition_terms", () => {
  // Pyro's cases: factors over symbols a, b, c (sizes 2, 3, 4) and the set of dims summed out. In ppl a
  // dim that is not summed must be a plate, so the other symbols are plates here; each connected
  // component (through summed dims) becomes one root of the plan.
  const CASES: [string[], string, number][] = [
    [[""], "", 1], [["a"], "", 1], [["a"], "a", 1], [["a", "a"], "", 2], [["a", "a"], "a", 1],
    [["a", "a", "b", "b"], "", 4], [["a", "a", "b", "b"], "a", 3], [["a", "a", "b", "b"], "b", 3],
    [["a", "a", "b", "b"], "ab", 2], [["a", "ab", "b"], "", 3], [["a", "ab", "b"], "a", 2],
    [["a", "ab", "b"], "b", 2], [["a", "ab", "b"], "ab", 1], [["a", "ab", "bc", "c"], "", 4],
    [["a", "ab", "bc", "c"], "c", 3], [["a", "ab", "bc", "c"], "b", 3], [["a", "ab", "bc", "c"], "a", 3],
    [["a", "ab", "bc", "c"], "ac", 2], [["a", "ab", "bc", "c"], "abc", 1],
  ];
  CASES.forEach(([inputs, dims, expected], n) => {
    it(`test_partition_terms[${inputs.join(",")}-{${dims}}-${expected}]`, () => {
      const plates = ["a", "b", "c"].filter((s) => !dims.includes(s)).join("");
      const p = fromEquation(`${inputs.join(",")}->`, plates, { seed: 400 + n, sizes: { a: 2, b: 3, c: 4 } });
      expect(logTotal(p).rootDims.length).toBe(expected);
      checkLog(p);
    });
  });
});
