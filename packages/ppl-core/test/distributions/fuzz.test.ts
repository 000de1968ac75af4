// Fuzz: random shapes and values for every distribution constructor `dist`
// exposes, seeded with ppl's makeRng. Whatever happens, an error is a PPLError
// (never a bare tfjs Error or TypeError), and a log-density is never NaN
// without an error. The library grows concurrently, so families are found by
// iterating Object.keys(dist); those without an argument generator here are
// skipped and listed.
import * as tf from "@tensorflow/tfjs";
import { afterAll, describe, expect, it } from "vitest";
import { PPLError, dist, makeRng, sample, setRngSeed, trace } from "ppl-core";
import type { Distribution } from "ppl-core";

type Rng = () => number;
type Args = unknown[];

interface Family {
  /** Families in `dist` when this file was written: their generator must be accepted. */
  readonly verified: boolean;
  /** Call forms to try, in order; the first that constructs on `valid` is used. */
  readonly forms: readonly ((params: tf.Tensor[]) => Args)[];
  /** Valid parameters (as tensors) for a batch shape. */
  valid(rng: Rng, batch: number[]): tf.Tensor[];
  /** Parameters with at least one element out of their support (undefined: none, as Pyro's Delta). */
  invalid?(rng: Rng, batch: number[]): tf.Tensor[];
  /** Values out of the support, to observe (undefined: every value is in the support). */
  outside?(rng: Rng, d: Distribution): tf.Tensor | undefined;
}

const CASES_PER_FAMILY = 24;

const uniform = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng();
const logUniform = (rng: Rng, lo: number, hi: number) => Math.exp(uniform(rng, Math.log(lo), Math.log(hi)));
const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const fill = (shape: number[], f: () => number) => tf.tensor(Array.from({ length: sizeOf(shape) }, f), shape, "float32");
const real = (rng: Rng, shape: number[]) => fill(shape, () => uniform(rng, -5, 5));
const positive = (rng: Rng, shape: number[]) => fill(shape, () => logUniform(rng, 0.2, 20));
const unit = (rng: Rng, shape: number[]) => fill(shape, () => uniform(rng, 0.02, 0.98));
const simplex = (rng: Rng, shape: number[]) => tf.tidy(() => {
  const w = positive(rng, shape);
  return w.div(w.sum(-1, true));
});
/** Put one bad element into a copy of t. */
function spoil(rng: Rng, t: tf.Tensor, bad: readonly number[]): tf.Tensor {
  const data = Float32Array.from(t.dataSync());
  data[Math.floor(rng() * data.length)] = bad[Math.floor(rng() * bad.length)]!;
  return tf.tensor(data, t.shape, "float32");
}
/** A random suffix of `batch` with some dims set to 1: broadcasts to `batch`. */
function broadcastable(rng: Rng, batch: number[]): number[] {
  const keep = Math.floor(rng() * (batch.length + 1));
  return batch.slice(batch.length - keep).map((s) => (rng() < 0.3 ? 1 : s));
}
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const NOT_POSITIVE = [0, -1, -0.5, Number.NaN, Number.POSITIVE_INFINITY];
const NOT_FINITE = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

function locScale(verified: boolean, outside?: Family["outside"]): Family {
  return {
    verified,
    forms: [([a, b]) => [a, b]],
    valid: (rng, batch) => [real(rng, broadcastable(rng, batch)), positive(rng, broadcastable(rng, batch))],
    invalid: (rng, batch) => rng() < 0.5
      ? [spoil(rng, real(rng, batch), NOT_FINITE), positive(rng, batch)]
      : [real(rng, batch), spoil(rng, positive(rng, batch), NOT_POSITIVE)],
    outside,
  };
}

function positiveParams(n: number, verified: boolean, outside?: Family["outside"]): Family {
  return {
    verified,
    forms: [(p) => p],
    valid: (rng, batch) => Array.from({ length: n }, () => positive(rng, broadcastable(rng, batch))),
    invalid: (rng, batch) => Array.from({ length: n }, (_, i) => (i === 0 ? spoil(rng, positive(rng, batch), NOT_POSITIVE) : positive(rng, batch))),
    outside,
  };
}

const negativeValue: Family["outside"] = (rng, d) => tf.fill(d.shape(), -uniform(rng, 0.1, 3));
const aboveOne: Family["outside"] = (rng, d) => tf.fill(d.shape(), uniform(rng, 1.1, 3));
const K = (rng: Rng) => 2 + Math.floor(rng() * 3);

const families: Record<string, Family> = {
  Normal: locScale(true),
  LogNormal: locScale(true, negativeValue),
  Dirichlet: {
    verified: true,
    forms: [([c]) => [c]],
    valid: (rng, batch) => [positive(rng, [...broadcastable(rng, batch), K(rng)])],
    invalid: (rng, batch) => [spoil(rng, positive(rng, [...batch, K(rng)]), NOT_POSITIVE)],
    outside: (rng, d) => tf.fill(d.shape(), uniform(rng, 0.6, 0.9)), // every row sums to more than 1
  },
  Categorical: {
    verified: true,
    forms: [([p]) => [p]],
    valid: (rng, batch) => [simplex(rng, [...broadcastable(rng, batch), K(rng)])],
    // unnormalised weights are normalised, as torch does: only negative or non-finite ones are invalid
    invalid: (rng, batch) => [spoil(rng, simplex(rng, [...batch, K(rng)]), [-0.2, Number.POSITIVE_INFINITY, Number.NaN])],
    outside: (rng, d) => tf.fill(d.shape(), pick(rng, [-1, 0.5, 99])),
  },
  Delta: {
    verified: true,
    forms: [([v]) => [v]],
    valid: (rng, batch) => [real(rng, broadcastable(rng, batch))],
    // no invalid parameters: like Pyro's, Delta's value is `dependent` (a NaN param is diagnosed by SVI's loss check)
  },
  // Pyro's signatures for the families DESIGN.md lists; checked only once `dist` has them.
  HalfNormal: positiveParams(1, false, negativeValue),
  Exponential: positiveParams(1, false, negativeValue),
  Gamma: positiveParams(2, false, negativeValue),
  Beta: positiveParams(2, false, aboveOne),
  Poisson: { // rate >= 0, as in Pyro
    ...positiveParams(1, false, (rng, d) => tf.fill(d.shape(), pick(rng, [-1, 0.5]))),
    invalid: (rng, batch) => [spoil(rng, positive(rng, batch), [-1, -0.5, Number.NaN, Number.POSITIVE_INFINITY])],
  },
  Uniform: {
    verified: false,
    forms: [([lo, hi]) => [lo, hi]],
    valid: (rng, batch) => {
      const lo = real(rng, broadcastable(rng, batch));
      return [lo, tf.tidy(() => lo.add(positive(rng, lo.shape)))];
    },
    invalid: (rng, batch) => {
      const lo = real(rng, batch);
      return [lo, tf.tidy(() => lo.sub(positive(rng, lo.shape)))];
    },
    outside: (rng, d) => tf.fill(d.shape(), 1e4),
  },
  Bernoulli: {
    verified: false,
    forms: [([p]) => [p], ([p]) => [{ probs: p }]],
    valid: (rng, batch) => [unit(rng, broadcastable(rng, batch))],
    invalid: (rng, batch) => [spoil(rng, unit(rng, batch), [-0.1, 1.5, Number.NaN])],
    outside: (rng, d) => tf.fill(d.shape(), pick(rng, [-1, 0.5, 2])),
  },
  Laplace: locScale(false),
  StudentT: {
    verified: false,
    forms: [([df, loc, sc]) => [df, loc, sc]],
    valid: (rng, batch) => [positive(rng, broadcastable(rng, batch)), real(rng, broadcastable(rng, batch)), positive(rng, broadcastable(rng, batch))],
    invalid: (rng, batch) => [spoil(rng, positive(rng, batch), NOT_POSITIVE), real(rng, batch), positive(rng, batch)],
  },
  Binomial: {
    verified: false,
    forms: [([n, p]) => [n, p], ([n, p]) => [n, { probs: p }]],
    valid: (rng, batch) => [fill(broadcastable(rng, batch), () => Math.floor(rng() * 11)), unit(rng, broadcastable(rng, batch))],
    invalid: (rng, batch) => rng() < 0.5
      ? [fill(batch, () => 3), spoil(rng, unit(rng, batch), [-0.1, 1.5, Number.NaN])]
      : [spoil(rng, fill(batch, () => 3), [-1, 2.5, Number.NaN]), unit(rng, batch)],
    outside: (rng, d) => tf.fill(d.shape(), pick(rng, [-1, 0.5, 1000])),
  },
  // Independent(base, n): a Normal with every batch dim made an event dim
  Independent: {
    verified: false,
    forms: [([loc, sc]) => {
      const base = dist.Normal(loc!, sc!);
      return [base, base.batchShape.length];
    }],
    valid: (rng, batch) => [real(rng, broadcastable(rng, batch)), positive(rng, broadcastable(rng, batch))],
    invalid: (rng, batch) => [real(rng, batch), spoil(rng, positive(rng, batch), NOT_POSITIVE)],
  },
  MultivariateNormal: {
    verified: false,
    forms: [
      ([loc, cov]) => [loc, { covarianceMatrix: cov }],
      ([loc, cov]) => [loc, cov],
    ],
    valid: (rng, batch) => {
      const n = K(rng);
      const loc = real(rng, [...broadcastable(rng, batch), n]);
      const cov = tf.tidy(() => {
        const a = real(rng, [n, n]);
        return a.matMul(a, false, true).add(tf.eye(n).mul(n));
      });
      return [loc, cov];
    },
    invalid: (rng, batch) => {
      const n = K(rng);
      return [real(rng, [...batch, n]), tf.eye(n).mul(-1)];
    },
  },
};

const report = { skipped: [] as string[], unrecognised: [] as string[], checked: [] as string[], cases: 0 };
afterAll(() => {
  console.log(
    `[fuzz] checked ${report.checked.join(", ")} (${report.cases} cases); ` +
      `skipped (no generator): ${report.skipped.join(", ") || "none"}; ` +
      `call form not recognised: ${report.unrecognised.join(", ") || "none"}`,
  );
});

type Ctor = (...args: unknown[]) => Distribution;

function describeErr(e: unknown): string {
  const err = e as Error;
  return `${err?.name ?? typeof e}: ${String(err?.message ?? e).split("\n")[0]}`;
}

function hasNaN(t: tf.Tensor): boolean {
  return tf.tidy(() => t.isNaN().any().dataSync()[0] === 1);
}

/** Runs `f`; a non-PPL error is a failure. Returns whether f completed. */
function attempt(failures: string[], where: string, f: () => void): boolean {
  try {
    tf.tidy(f);
    return true;
  } catch (e) {
    if (!(e instanceof PPLError)) failures.push(`${where}: ${describeErr(e)}`);
    return false;
  }
}

function fuzzFamily(name: string, family: Family, ctor: Ctor, seed: number): string[] {
  const failures: string[] = [];
  const rng = makeRng(seed);
  setRngSeed(seed);
  // find the call form this library uses
  const probe = tf.tidy(() => family.valid(makeRng(seed + 1), [2]));
  const form = family.forms.find((f) => {
    try {
      tf.tidy(() => void ctor(...f(probe)));
      return true;
    } catch {
      return false;
    }
  });
  const arity = probe.length;
  tf.dispose(probe);
  if (form === undefined) {
    if (family.verified) failures.push(`${name}: no call form accepts valid parameters`);
    else report.unrecognised.push(name);
    return failures;
  }
  report.checked.push(name);

  for (let c = 0; c < CASES_PER_FAMILY; c++) {
    report.cases++;
    const batch = Array.from({ length: Math.floor(rng() * 3) }, () => 1 + Math.floor(rng() * 3));
    const where = `${name} case ${c} (batch ${JSON.stringify(batch)})`;

    // valid parameters: construct, sample, and score the samples, also after expand and toEvent
    attempt(failures, `${where} valid`, () => {
      const params = family.valid(rng, batch);
      const d = ctor(...form(params));
      const x = d.sample(rng() < 0.5 ? [] : [2]);
      const lp = d.logProb(x);
      if (hasNaN(lp)) failures.push(`${where}: logProb of its own sample is NaN (params ${JSON.stringify(params.map((p) => p.arraySync()))})`);
      const wider = [3, ...d.batchShape];
      const e = d.expand(wider);
      if (hasNaN(e.logProb(e.sample()))) failures.push(`${where}: expand(${JSON.stringify(wider)}).logProb(sample) is NaN`);
      if (d.batchShape.length > 0) {
        const ev = d.toEvent(1);
        if (hasNaN(ev.logProb(ev.sample()))) failures.push(`${where}: toEvent(1).logProb(sample) is NaN`);
      }
      if (d.hasEnumerateSupport) {
        const s = d.enumerateSupport(false);
        if (hasNaN(d.logProb(s))) failures.push(`${where}: logProb over enumerateSupport is NaN`);
      }
    });

    // invalid parameters: an error, and a PPL one
    if (family.invalid !== undefined) {
      const completed = attempt(failures, `${where} invalid params`, () => {
        ctor(...form(family.invalid!(rng, batch)));
      });
      if (completed) failures.push(`${where}: parameters out of support were accepted`);
    }

    // parameters of shapes that do not broadcast ([4] against [5]): a PPL error
    if (arity > 1) {
      const ok = attempt(failures, `${where} mismatched shapes`, () => {
        // scalar-batch parameters, given a leading batch dim of 4 (the first) or 5 (the others)
        const params = family.valid(rng, []).map((p, j) => tf.broadcastTo(p.expandDims(0), [j === 0 ? 4 : 5, ...p.shape]));
        ctor(...form(params));
      });
      if (ok) failures.push(`${where}: parameters of shapes [4] and [5] were accepted`);
    }

    // an observed value out of the support, through a model: a PPL error, or a log-density that is not NaN
    if (family.outside !== undefined) {
      attempt(failures, `${where} observed outside the support`, () => {
        const d = ctor(...form(family.valid(rng, batch)));
        const v = family.outside!(rng, d);
        if (v === undefined) return;
        const tr = trace(function* () {
          yield* sample("x", d, { obs: v });
        }).getTrace();
        if (hasNaN(tr.logProb("x"))) failures.push(`${where}: an observed value outside the support gives a NaN log-density without an error`);
      });
    }

    // a value whose shape does not broadcast: a PPL error (the site's log-prob names the site)
    let shapes = "";
    const shaped = attempt(failures, `${where} wrong value shape`, () => {
      const d = ctor(...form(family.valid(rng, batch)));
      const badShape = [...d.batchShape.map((s) => (s === 1 ? 1 : s + 5)), ...d.eventShape.map((s) => s + 1)];
      if (badShape.every((s) => s === 1)) throw new PPLError("skip: every value shape broadcasts against this one");
      const bad = tf.zeros(badShape);
      shapes = `value ${JSON.stringify(badShape)} for batch ${JSON.stringify(d.batchShape)} | event ${JSON.stringify(d.eventShape)}`;
      trace(function* () {
        yield* sample("y", d, { obs: bad });
      }).getTrace().logProb("y");
    });
    if (shaped) failures.push(`${where}: a value of a non-broadcastable shape was scored without an error (${shapes})`);
  }
  return failures;
}

describe("fuzzing every distribution in dist", () => {
  const names = Object.keys(dist);

  it("knows argument generators for the families present when it was written", () => {
    for (const name of Object.entries(families).filter(([, f]) => f.verified).map(([n]) => n)) {
      expect(names, `dist.${name}`).toContain(name);
    }
  });

  for (const [i, name] of names.entries()) {
    const family = families[name];
    if (family === undefined) {
      report.skipped.push(name);
      continue;
    }
    it(`dist.${name}: only PPL errors, and no NaN without an error`, () => {
      const before = tf.memory().numTensors;
      const failures = fuzzFamily(name, family, (dist as unknown as Record<string, Ctor>)[name]!, 1000 + 97 * i);
      expect(failures).toEqual([]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
