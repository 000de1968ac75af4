// The batching hook: each family's logProbBatched (n values stacked on a leading
// axis, one op) against float64 closed-form log-densities written here, its
// gradient against central differences of those, through Expanded/Independent
// (their target shape passed down), and the default loop of a distribution
// written without the hook. Then Categorical's tagged enumerated support
// (Pyro's _pyro_categorical_support) against a plain gather.
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { Distribution, Normal, type Constraint, constraints, dist, vindex } from "ppl-core";
import { LOG_2PI, at, checkGradients, expectClose, lgamma64, vals } from "./helpers.js";

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const broadcast = (shapes: readonly (readonly number[])[]) => {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, i) => Math.max(...shapes.map((s) => s[s.length - rank + i] ?? 1)));
};

interface Param {
  values: number[];
  shape: number[];
}

interface Family {
  name: string;
  /** The differentiable parameters. */
  params: Param[];
  make: (ps: tf.Tensor[]) => Distribution;
  /** [n, ...valueShape]. */
  values: Param;
  dtype?: "int32";
  /** log p(x) in float64 from the parameters' values at this element. */
  density: (x: number, p: number[]) => number;
}

const logSigmoid = (l: number) => (l >= 0 ? -Math.log1p(Math.exp(-l)) : l - Math.log1p(Math.exp(l)));
const logChoose = (n: number, k: number) => lgamma64(n + 1) - lgamma64(k + 1) - lgamma64(n - k + 1);

const families: Family[] = [
  {
    name: "Normal",
    params: [{ values: [0.1, -0.5, 1.0], shape: [3, 1] }, { values: [0.7, 1.3, 2.2, 0.4], shape: [1, 4] }],
    make: ([loc, scale]) => dist.Normal(loc!, scale!),
    values: { values: [0.3, -1.2, 2.5, 0.9, 1.7, 0.05, -0.4, 3.1], shape: [2, 4] },
    density: (x, [m, s]) => -0.5 * ((x - m!) / s!) ** 2 - Math.log(s!) - 0.5 * LOG_2PI,
  },
  {
    name: "LogNormal",
    params: [{ values: [0.1, -0.5, 1.0], shape: [3, 1] }, { values: [0.7, 1.3, 2.2, 0.4], shape: [1, 4] }],
    make: ([loc, scale]) => dist.LogNormal(loc!, scale!),
    values: { values: [0.3, 1.2, 2.5, 0.9, 1.7, 0.05, 0.4, 3.1], shape: [2, 4] },
    density: (x, [m, s]) => -0.5 * ((Math.log(x) - m!) / s!) ** 2 - Math.log(s!) - 0.5 * LOG_2PI - Math.log(x),
  },
  {
    name: "StudentT",
    params: [
      { values: [1.5, 3.0, 7.0], shape: [3, 1] },
      { values: [0.2, -0.3, 0.0, 1.1], shape: [1, 4] },
      { values: [0.8, 1.4, 0.6], shape: [3, 1] },
    ],
    make: ([df, loc, scale]) => dist.StudentT(df!, loc!, scale!),
    values: { values: [0.3, -1.2, 2.5, 0.9, 1.7, 0.05, -0.4, 3.1], shape: [2, 4] },
    density: (x, [df, m, s]) => {
      const z = (x - m!) / s!;
      return lgamma64((df! + 1) / 2) - lgamma64(df! / 2) - 0.5 * Math.log(df! * Math.PI) - Math.log(s!) - ((df! + 1) / 2) * Math.log1p((z * z) / df!);
    },
  },
  {
    name: "Bernoulli(probs)",
    params: [{ values: [0.2, 0.7, 0.45, 0.9, 0.1, 0.6], shape: [3, 1, 2] }],
    make: ([p]) => dist.Bernoulli({ probs: p! }),
    values: { values: [1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1], shape: [3, 2, 2] },
    density: (x, [p]) => (x === 1 ? Math.log(p!) : Math.log(1 - p!)),
  },
  {
    name: "Bernoulli(logits)",
    params: [{ values: [-1.2, 0.4, 2.5, -0.3], shape: [2, 1, 2] }],
    make: ([l]) => dist.Bernoulli({ logits: l! }),
    values: { values: [1, 0, 0, 1, 1, 1], shape: [3, 1, 2] },
    density: (x, [l]) => (x === 1 ? logSigmoid(l!) : logSigmoid(-l!)),
  },
  {
    name: "Poisson",
    params: [{ values: [0.5, 2.0, 6.5], shape: [3, 1] }],
    make: ([rate]) => dist.Poisson(rate!),
    values: { values: [0, 3, 1, 7, 2, 0, 5, 1], shape: [2, 4] },
    density: (x, [r]) => x * Math.log(r!) - r! - lgamma64(x + 1),
  },
  {
    name: "Binomial",
    params: [{ values: [0.15, 0.5, 0.8], shape: [3, 1] }],
    make: ([p]) => dist.Binomial(5, { probs: p! }),
    values: { values: [0, 3, 1, 5, 2, 0, 4, 1], shape: [2, 4] },
    density: (x, [p]) => logChoose(5, x) + x * Math.log(p!) + (5 - x) * Math.log(1 - p!),
  },
];

/** The closed form at every element of [n, ...broadcast(value, batchShape)] (values padded after their leading axis). */
function reference(f: Family, ps: number[][], batchShape: readonly number[]): { out: number[]; shape: number[] } {
  const [n, ...v] = f.values.shape;
  const row = broadcast([v, batchShape]);
  const shape = [n!, ...row];
  const padded = [n!, ...new Array<number>(row.length - v.length).fill(1), ...v];
  const out = Array.from({ length: size(shape) }, (_, i) =>
    f.density(at(f.values.values, padded, shape, i), f.params.map((p, k) => at(ps[k]!, p.shape, shape, i))));
  return { out, shape };
}

const valuesOf = (f: Family) => tf.tensor(f.values.values, f.values.shape, f.dtype ?? "float32");

describe("logProbBatched: one op for n stacked values", () => {
  for (const f of families) {
    it(`${f.name}: the closed form, row i equal to logProb(values[i]), and a key naming its parameters`, () => {
      tf.tidy(() => {
        const ps = f.params.map((p) => tf.tensor(p.values, p.shape));
        const d = f.make(ps);
        const values = valuesOf(f);
        const lp = d.logProbBatched(values);
        const ref = reference(f, f.params.map((p) => p.values), d.batchShape);
        expect(lp.shape).toEqual(ref.shape);
        expectClose(vals(lp), ref.out, 1e-5, 1e-5, f.name);
        tf.unstack(values).forEach((x, i) => expectClose(vals(lp.slice(i, 1)), vals(d.logProb(x)), 1e-6, 1e-6, `${f.name} row ${i}`));
        // equal keys for a second instance on the same tensors; a different tensor, a different key
        const again = f.make(ps).batchKey()!;
        const key = d.batchKey()!;
        expect(again.length).toBe(key.length);
        again.forEach((k, i) => expect(k).toBe(key[i]));
        const other = f.make(ps.map((p) => p.clone())).batchKey()!;
        expect(other.some((k, i) => k !== key[i])).toBe(true);
        // a JS number stands for itself: Normal(loc[z], 1) at every step of a chain gets one key
        if (f.name === "Normal") {
          const [k1, k2] = [dist.Normal(ps[0]!, 1).batchKey()!, dist.Normal(ps[0]!, 1).batchKey()!];
          expect(k1.every((k, i) => k === k2[i])).toBe(true);
        }
      });
    });

    it(`${f.name}: gradient of every parameter against central differences of the closed form`, () => {
      const values = valuesOf(f);
      const batch = f.make(f.params.map((p) => tf.tensor(p.values, p.shape))).batchShape;
      checkGradients(
        (...ps) => f.make(ps).logProbBatched(values),
        (ps) => reference(f, ps, batch).out,
        f.params,
        3e-3,
        f.name,
      );
      values.dispose();
    });
  }

  it("Categorical: the normalised logits at each value (one gather), and its gradient", () => {
    const K = 3;
    const logits = { values: [0.2, -1.0, 1.5, 0.0, 0.7, -0.3, 2.0, 0.1, -2.2, 0.4, 0.4, 1.0], shape: [4, K] };
    const xs = [2, 0, 1, 1, 0, 2, 2, 1];
    const values = tf.tensor(Int32Array.from(xs), [2, 4], "int32");
    const ref = ([ls]: number[][]) => xs.map((x, i) => {
      const row = ls!.slice((i % 4) * K, (i % 4 + 1) * K);
      const m = Math.max(...row);
      return row[x]! - m - Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    });
    tf.tidy(() => {
      const lp = dist.Categorical({ logits: tf.tensor(logits.values, logits.shape) }).logProbBatched(values);
      expect(lp.shape).toEqual([2, 4]);
      expectClose(vals(lp), ref([logits.values]), 1e-5, 1e-5, "Categorical");
    });
    checkGradients((l) => dist.Categorical({ logits: l! }).logProbBatched(values), ref, [logits], 3e-3, "Categorical");
    values.dispose();
  });

  it("Expanded and Independent pass their target shape to the base: the full shape in one op, summed over the event", () => {
    for (const f of families.filter((g) => ["Normal", "Bernoulli(probs)", "Poisson"].includes(g.name))) {
      tf.tidy(() => {
        const ps = f.params.map((p) => tf.tensor(p.values, p.shape));
        const base = f.make(ps);
        const target = [2, ...broadcast([base.batchShape, f.values.shape.slice(1)])];
        const expanded = base.expand(target);
        const values = valuesOf(f);
        const ref = reference(f, f.params.map((p) => p.values), target);
        const lp = expanded.logProbBatched(values);
        expect(lp.shape).toEqual(ref.shape);
        expectClose(vals(lp), ref.out, 1e-5, 1e-5, `${f.name}.expand`);
        // toEvent(1): the rightmost dim summed, in float64 here
        const ev = expanded.toEvent(1).logProbBatched(values);
        const last = ref.shape[ref.shape.length - 1]!;
        const sums = Array.from({ length: ref.out.length / last }, (_, r) => ref.out.slice(r * last, (r + 1) * last).reduce((a, b) => a + b, 0));
        expect(ev.shape).toEqual(ref.shape.slice(0, -1));
        expectClose(vals(ev), sums, 1e-4, 1e-5, `${f.name}.expand.toEvent`);
        expect(expanded.batchKey()).not.toEqual(base.batchKey());
      });
    }
  });

  it("a subclass that overrides logProb is never batched by its parent's formula", () => {
    class Shifted extends Normal {
      override logProb(value: tf.Tensor): tf.Tensor {
        return super.logProb(value).add(1);
      }
    }
    expect(new Shifted(0, 1).batchKey()).toBeUndefined();
    expect(dist.Normal(0, 1).batchKey()).toBeDefined();
  });
});

/** Written the way a user writes one (examples/custom-distribution): no batching hook. */
class Logistic extends Distribution {
  readonly name = "Logistic";
  readonly batchShape: readonly number[];
  readonly eventShape: readonly number[] = [];
  readonly support: Constraint = constraints.real;
  constructor(readonly loc: tf.Tensor, readonly scale: tf.Tensor) {
    super();
    this.batchShape = broadcast([loc.shape, scale.shape]);
  }
  sample(): tf.Tensor {
    throw new Error("not needed here");
  }
  logProb(value: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const z = value.sub(this.loc).div(this.scale);
      return z.neg().sub(this.scale.log()).sub(tf.softplus(z.neg()).mul(2));
    });
  }
}

describe("the default logProbBatched (a distribution without the hook)", () => {
  const logistic = (x: number, m: number, s: number) => {
    const z = (x - m) / s;
    return -z - Math.log(s) - 2 * Math.log1p(Math.exp(-z));
  };
  const loc = { values: [0.1, -0.5, 1.0], shape: [3, 1] };
  const scale = { values: [0.7, 1.3, 2.2, 0.4], shape: [1, 4] };
  const xs = { values: [0.3, -1.2, 2.5, 0.9, 1.7, 0.05, -0.4, 3.1], shape: [2, 4] };
  const ref = ([ls, ss]: number[][]) =>
    Array.from({ length: 24 }, (_, i) => at(xs.values, [2, 1, 4], [2, 3, 4], i)).map((x, i) =>
      logistic(x, at(ls!, loc.shape, [2, 3, 4], i), at(ss!, scale.shape, [2, 3, 4], i)));

  it("is never batched, and its loop over logProb matches the closed form and its gradient", () => {
    tf.tidy(() => {
      const d = new Logistic(tf.tensor(loc.values, loc.shape), tf.tensor(scale.values, scale.shape));
      expect(d.batchKey()).toBeUndefined();
      const lp = d.logProbBatched(tf.tensor(xs.values, xs.shape));
      expect(lp.shape).toEqual([2, 3, 4]);
      expectClose(vals(lp), ref([loc.values, scale.values]), 1e-5, 1e-5, "Logistic");
      // through expand, the target shape reaches the default loop
      expect(d.expand([5, 3, 4]).logProbBatched(tf.tensor(xs.values, xs.shape)).shape).toEqual([2, 5, 3, 4]);
    });
    const values = tf.tensor(xs.values, xs.shape);
    checkGradients((l, s) => new Logistic(l!, s!).logProbBatched(values), ref, [loc, scale], 3e-3, "Logistic");
    values.dispose();
  });

  it("a scalar instead of stacked values is a clear error naming the distribution", () => {
    const d = new Logistic(tf.scalar(0), tf.scalar(1));
    expect(() => d.logProbBatched(tf.scalar(1))).toThrow(/Logistic\.logProbBatched: the values must be stacked on a leading axis/);
  });
});

describe("Categorical's enumerated support (Pyro's _pyro_categorical_support)", () => {
  const K = 4;
  // logits for a batch [2, 1]: a row per first-axis element, nothing along the second
  const logits = { values: [0.3, -1.0, 2.0, 0.5, 1.5, 0.2, -0.7, 0.0], shape: [2, 1, K] };
  const normalized = (ls: number[]) => [0, 1].flatMap((r) => {
    const row = ls.slice(r * K, (r + 1) * K);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, x) => s + Math.exp(x - m), 0));
    return row.map((x) => x - lse);
  });

  it("enumerateSupportAt is one cached arange per (K, dim), and logProb of it is the logits moved to the enumeration dim", () => {
    tf.tidy(() => {
      const d = dist.Categorical({ logits: tf.tensor(logits.values, logits.shape) });
      const s = d.enumerateSupportAt(-3);
      expect(s.shape).toEqual([K, 1, 1]);
      expect(s.dtype).toBe("int32");
      expect(vals(s)).toEqual([0, 1, 2, 3]);
      expect(dist.Categorical({ logits: tf.zeros([7, K]) }).enumerateSupportAt(-3)).toBe(s);
      const lp = d.logProb(s);
      // lp[k, i, 0] = log softmax(logits[i, 0])[k]
      const want = normalized(logits.values);
      expect(lp.shape).toEqual([K, 2, 1]);
      expectClose(vals(lp), Array.from({ length: 2 * K }, (_, j) => want[(j % 2) * K + Math.floor(j / 2)]!), 1e-6, 1e-6, "tagged");
      // the same values through a plain (untagged) gather
      const plain = tf.tensor(Int32Array.from([0, 1, 2, 3]), [K, 1, 1], "int32");
      const gathered = vindex(d.logits, "...", plain);
      expect(gathered.shape).toEqual(lp.shape);
      expectClose(vals(lp), vals(gathered), 0, 0, "tagged vs gather");
    });
  });

  it("the gradient of the tagged path equals the plain gather's and the closed form's", () => {
    const plain = tf.tensor(Int32Array.from([0, 1, 2, 3]), [K, 1, 1], "int32");
    const w = tf.tensor(Array.from({ length: 2 * K }, (_, i) => 1 + 0.37 * i), [K, 2, 1]);
    const loss = (l: tf.Tensor, v: () => tf.Tensor) => dist.Categorical({ logits: l }).logProb(v()).mul(w).sum();
    const l0 = tf.tensor(logits.values, logits.shape);
    const tagged = tf.grad((l: tf.Tensor) => loss(l, () => dist.Categorical({ logits: l }).enumerateSupportAt(-3)))(l0);
    const gathered = tf.grad((l: tf.Tensor) => loss(l, () => plain))(l0);
    expectClose(vals(tagged), vals(gathered), 1e-6, 1e-6, "gradients");
    checkGradients(
      (l) => dist.Categorical({ logits: l! }).logProb(dist.Categorical({ logits: l! }).enumerateSupportAt(-3)),
      ([ls]) => {
        const want = normalized(ls!);
        return Array.from({ length: 2 * K }, (_, j) => want[(j % 2) * K + Math.floor(j / 2)]!);
      },
      [logits],
      2e-3,
      "tagged Categorical",
    );
    tf.dispose([plain, w, l0, tagged, gathered]);
  });

  it("an expanded Categorical leaves the plate dims it added at size 1 at its support (constant along them), not elsewhere", () => {
    tf.tidy(() => {
      const d = dist.Categorical({ logits: tf.tensor([0.3, -1.0, 2.0, 0.5]) }).expand([5]);
      const s = d.enumerateSupportAt(-2);
      expect(d.logProb(s).shape).toEqual([K, 1]);
      const plain = tf.tensor(Int32Array.from([0, 1, 2, 3]), [K, 1], "int32");
      const full = d.logProb(plain);
      expect(full.shape).toEqual([K, 5]);
      expectClose(vals(full), vals(tf.broadcastTo(d.logProb(s), [K, 5])), 0, 0, "broadcast");
    });
  });

  it("enumerateSupportAt's generic default: a reshape of enumerateSupport, expanded on request", () => {
    tf.tidy(() => {
      const b = dist.Bernoulli(tf.tensor([0.2, 0.9, 0.5])).expand([2, 3]);
      const s = b.enumerateSupportAt(-4);
      expect(s.shape).toEqual([2, 1, 1, 1]);
      expect(vals(s)).toEqual([0, 1]);
      const e = b.enumerateSupportAt(-3, true);
      expect(e.shape).toEqual([2, 2, 3]);
      expect(b.supportSize()).toBe(2);
      expect(dist.Binomial(4, 0.3).supportSize()).toBe(5);
      expect(() => b.enumerateSupportAt(-2, true)).toThrow(/enumerateSupportAt\(-2\)/);
    });
  });
});
