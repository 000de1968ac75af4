// Pyro's tests/ops/test_contract.py, the contract_to_tensor / contract_tensor_tree
// cases. ppl's plan always contracts every enumerated variable to roots over
// plates (Pyro's contract_tensor_tree with no target dims); a query for target
// dims in a target ordinal (contract_to_tensor) is answered here by the
// sample ring's joint draws, checked against the unrolled float64 oracle.
import { describe, expect, it } from "vitest";
import { checkLog, checkMax, checkTarget } from "./check.js";
import { fromEquation } from "./problem.js";
import { logTotal } from "./run.js";

// Pyro's symbol_to_size for these examples
const SIZES = { a: 4, b: 5, c: 6, d: 7, i: 2, j: 3 };

// Pyro's EXAMPLES: the shape tree as an equation, the queries as (target dims, target ordinal)
const EXAMPLES: { name: string; equation: string; plates: string; queries: [string, string][] }[] = [
  //  y      max_plate_nesting=1
  //  | 4    x, y are enumerated in dims a, b
  //  x
  { name: "x-y", equation: "a,abi->", plates: "i", queries: [["", ""], ["a", ""], ["b", "i"], ["ab", "i"]] },
  //          z
  //          | 4    max_plate_nesting=2
  //    x     y      w, x, y, z are all enumerated in dims a, b, c, d
  //   2 \   / 3
  //       w
  { name: "w-x-y-z", equation: "a,abi,acj,cdij->", plates: "ij", queries: [["a", ""], ["b", "i"], ["c", "j"], ["d", "ij"]] },
];

describe("test_contract_tensor_tree", () => {
  EXAMPLES.forEach((ex, n) => {
    it(`test_contract_tensor_tree[${ex.name}]`, () => {
      const p = fromEquation(ex.equation, ex.plates, { seed: 500 + n, sizes: SIZES });
      // every root lies over plates only (Pyro: each term has its frames' full sizes)
      checkLog(p);
      checkMax(p);
      expect(logTotal(p).rootDims.flat().every((d) => ex.plates.includes(d))).toBe(true);
    });
  });
});

describe("test_contract_to_tensor", () => {
  EXAMPLES.forEach((ex, n) => {
    ex.queries.forEach(([targets, ordinal], q) => {
      it(`test_contract_to_tensor[${ex.name}: ${targets || "total"} in {${ordinal}}]`, () => {
        const p = fromEquation(ex.equation, ex.plates, { seed: 500 + n, sizes: SIZES });
        if (targets === "") checkLog(p);
        else checkTarget(p, [...targets], [...ordinal], 600 + 10 * n + q);
      });
    });
  });
});

describe("test_contract_to_tensor_sizes", () => {
  // X (a,1,c,1) in plate c; Y (a,b,1,1); Z (b,1,d) in plate d; a, b summed. Any size may be 1
  // (ppl drops size-1 dims from its factors, as collectTerms does).
  for (const a of [2, 1]) for (const b of [3, 1]) for (const c of [3, 1]) for (const d of [4, 1]) {
    it(`test_contract_to_tensor_sizes[${a}-${b}-${c}-${d}]`, () => {
      const p = fromEquation("ac,ab,bd->", "cd", { seed: 700 + a * 1000 + b * 100 + c * 10 + d, sizes: { a, b, c, d } });
      checkLog(p);
      checkMax(p);
      if (a > 1) checkTarget(p, ["a"], [], 800 + c * 10 + d, 2000);
    });
  }
});
