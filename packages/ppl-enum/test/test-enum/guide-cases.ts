/**
 * Pyro's test_enum cases that enumerate in the guide, as builders taking the
 * enumeration strategy of each guide site ("parallel" or "sequential"), so
 * guide-enum.test.ts runs them in parallel and sequential.test.ts with
 * sequential sites, against the same float64 oracle: the exact expectation
 * over the guide's enumerated sites (Pyro's semantics: guide-enumerated sites
 * are summed out, sequential gives the same value as parallel).
 * Pyro's `config_enumerate(guide, default=e)` is written as `infer: { enumerate: e }`
 * on each site; Pyro's sequential plates as plain loops over named sites.
 */
import { dist, plate, sample, vindex } from "ppl-core";
import type { ModelGenerator, SampleOptions } from "ppl-core";
import type { EnumCase } from "./check.js";
import { bernLog, expect as expectation, klBern, klCat, lse } from "./oracle.js";
import { scaled } from "./fixtures.js";
import { Params } from "./params.js";

export type Strategy = "parallel" | "sequential";
const inf = (e: Strategy) => ({ infer: { enumerate: e } });
/**
 * Pyro's `for i in pyro.plate(name, n)`: ppl's sequential plate when `seq`,
 * else a plain loop (the same joint density, without the independence tags).
 */
export function* iplate(seq: boolean, name: string, n: number, body: (i: number) => ModelGenerator<void>): ModelGenerator<void> {
  if (seq) yield* plate(name, n, { sequential: true }, body);
  else for (let i = 0; i < n; i++) yield* body(i);
}
const normalise = (q: number[]) => q.map((x) => x / q.reduce((a, b) => a + b, 0));

/** test_elbo_bern: one Bernoulli in a particles plate of size 1, model and guide scaled. */
export function elboBern(e: Strategy, s: number): EnumCase {
  const params = new Params().add("q", 0.5);
  return {
    params,
    model: () => scaled(function* () {
      yield* plate("particles", 1, function* () {
        yield* sample("z", dist.Bernoulli(0.25).expandBy([1]));
      });
    }, s),
    guide: (theta) => scaled(function* () {
      const q = params.tensor(theta, "q");
      yield* plate("particles", 1, function* () {
        yield* sample("z", dist.Bernoulli(q).expandBy([1]), inf(e));
      });
    }, s),
    oracle: (th) => -s * klBern(params.value(th, "q")(), 0.25),
  };
}

/** test_elbo_berns: three Bernoullis, guide Bernoulli(q) each. */
export function elboBerns(es: readonly Strategy[]): EnumCase {
  const params = new Params().add("q", 0.75);
  const ps = [0.1, 0.2, 0.3];
  return {
    params,
    maxPlateNesting: 0,
    model: () => function* () {
      for (const [i, p] of ps.entries()) yield* sample(`x${i + 1}`, dist.Bernoulli(p));
    },
    guide: (theta) => function* () {
      const q = params.tensor(theta, "q");
      for (const i of ps.keys()) yield* sample(`x${i + 1}`, dist.Bernoulli(q), inf(es[i]!));
    },
    oracle: (th) => -ps.reduce((a, p) => a + klBern(params.value(th, "q")(), p), 0),
  };
}

/** test_elbo_bern_bern: two Bernoullis. */
export function elboBernBern(es: readonly Strategy[]): EnumCase {
  const params = new Params().add("q", 0.75);
  const ps = [0.2, 0.4];
  return {
    params,
    maxPlateNesting: 0,
    model: () => function* () {
      for (const [i, p] of ps.entries()) yield* sample(`x${i + 1}`, dist.Bernoulli(p));
    },
    guide: (theta) => function* () {
      const q = params.tensor(theta, "q");
      for (const i of ps.keys()) yield* sample(`x${i + 1}`, dist.Bernoulli(q), inf(es[i]!));
    },
    oracle: (th) => -ps.reduce((a, p) => a + klBern(params.value(th, "q")(), p), 0),
  };
}

/**
 * test_elbo_categoricals: the guide's q's are raw (unconstrained) probability
 * vectors, normalised by Categorical as torch does, so the gradient is taken
 * off the simplex too.
 */
export function elboCategoricals(es: readonly Strategy[], maxPlateNesting: number): EnumCase {
  const ps = [[0.6, 0.4], [0.3, 0.3, 0.4], [0.1, 0.2, 0.3, 0.4]];
  const params = new Params().add("q1", [0.4, 0.6]).add("q2", [0.4, 0.3, 0.3]).add("q3", [0.4, 0.3, 0.2, 0.1]);
  return {
    params,
    maxPlateNesting,
    model: () => function* () {
      for (const [i, p] of ps.entries()) yield* sample(`x${i + 1}`, dist.Categorical(p));
    },
    guide: (theta) => function* () {
      for (const i of ps.keys()) {
        yield* sample(`x${i + 1}`, dist.Categorical(params.tensor(theta, `q${i + 1}`)), inf(es[i]!));
      }
    },
    oracle: (th) => -ps.reduce((a, p, i) => {
      const q = params.value(th, `q${i + 1}`);
      return a + klCat(normalise(p.map((_, k) => q(k))), p);
    }, 0),
  };
}

const P_HALF_KL = 0.2693204236205713; // kl(Bernoulli(0.75), Bernoulli(p)) = 0.5

/** test_elbo_plate: y in a particles plate, z in a plate nested in it. */
export function elboPlate(plateDim: number, es: readonly Strategy[]): EnumCase {
  const params = new Params().add("q", 0.75);
  const p = P_HALF_KL;
  return {
    params,
    model: () => function* () {
      yield* plate("particles", 1, function* () {
        yield* sample("y", dist.Bernoulli(p).expandBy([1]));
        yield* plate("plate", plateDim, function* () {
          yield* sample("z", dist.Bernoulli(p).expandBy([plateDim, 1]));
        });
      });
    },
    guide: (theta) => function* () {
      const q = params.tensor(theta, "q");
      yield* plate("particles", 1, function* () {
        yield* sample("y", dist.Bernoulli(q).expandBy([1]), inf(es[0]!));
        yield* plate("plate", plateDim, function* () {
          yield* sample("z", dist.Bernoulli(q).expandBy([plateDim, 1]), inf(es[1]!));
        });
      });
    },
    oracle: (th) => -(1 + plateDim) * klBern(params.value(th, "q")(), p),
  };
}

/** test_elbo_iplate: x in a particles plate, y_i for each i of a sequential plate. */
export function elboIplate(plateDim: number, es: readonly Strategy[], seq = false): EnumCase {
  const params = new Params().add("q", 0.75);
  const p = P_HALF_KL;
  return {
    params,
    model: () => function* () {
      yield* plate("particles", 1, function* () {
        yield* sample("x", dist.Bernoulli(p).expandBy([1]));
        yield* iplate(seq, "plate", plateDim, function* (i) {
          yield* sample(`y_${i}`, dist.Bernoulli(p).expandBy([1]));
        });
      });
    },
    guide: (theta) => function* () {
      const q = params.tensor(theta, "q");
      yield* plate("particles", 1, function* () {
        yield* sample("x", dist.Bernoulli(q).expandBy([1]), inf(es[0]!));
        yield* iplate(seq, "plate", plateDim, function* (i) {
          yield* sample(`y_${i}`, dist.Bernoulli(q).expandBy([1]), inf(es[1]!));
        });
      });
    },
    oracle: (th) => -(1 + plateDim) * klBern(params.value(th, "q")(), p),
  };
}

/** test_elbo_plate_plate: w global, x in outer (dim -1), y in inner (dim -2), z in both. */
export function elboPlatePlate(es: readonly Strategy[]): EnumCase {
  const params = new Params().add("q", 0.75);
  const p = P_HALF_KL;
  const body = (d: () => ReturnType<typeof dist.Bernoulli>, infers: SampleOptions[]) => function* () {
    yield* sample("w", d(), infers[0]);
    yield* plate("outer", 2, { dim: -1 }, function* () {
      yield* sample("x", d(), infers[1]);
    });
    yield* plate("inner", 2, { dim: -2 }, function* () {
      yield* sample("y", d(), infers[2]);
    });
    yield* plate("outer", 2, { dim: -1 }, function* () {
      yield* plate("inner", 2, { dim: -2 }, function* () {
        yield* sample("z", d(), infers[3]);
      });
    });
  };
  return {
    params,
    model: () => body(() => dist.Bernoulli(p), [{}, {}, {}, {}]),
    guide: (theta) => body(() => dist.Bernoulli(params.tensor(theta, "q")), es.map(inf)),
    oracle: (th) => -(1 + 2 + 2 + 4) * klBern(params.value(th, "q")(), p),
  };
}

/** test_elbo_plate_iplate: x in particles, y in outer (3), z_i for each i of a sequential inner plate (2). */
export function elboPlateIplate(es: readonly Strategy[], seq = false): EnumCase {
  const params = new Params().add("q", 0.75);
  const p = P_HALF_KL;
  const [outer, inner] = [3, 2];
  const body = (d: () => ReturnType<typeof dist.Bernoulli>, infers: SampleOptions[]) => function* () {
    yield* plate("particles", 1, function* () {
      yield* sample("x", d().expandBy([1]), infers[0]);
      yield* plate("outer", outer, function* () {
        yield* sample("y", d().expandBy([outer, 1]), infers[1]);
        yield* iplate(seq, "inner", inner, function* (i) {
          yield* sample(`z_${i}`, d().expandBy([outer, 1]), infers[2]);
        });
      });
    });
  };
  return {
    params,
    model: () => body(() => dist.Bernoulli(p), [{}, {}, {}]),
    guide: (theta) => body(() => dist.Bernoulli(params.tensor(theta, "q")), es.map(inf)),
    oracle: (th) => -(1 + outer * (1 + inner)) * klBern(params.value(th, "q")(), p),
  };
}

/** test_elbo_iplate_plate: x in particles, y_i for each i of a sequential outer plate, z_i in a vectorised inner plate. */
export function elboIplatePlate(es: readonly Strategy[], seq = false): EnumCase {
  const params = new Params().add("q", 0.75);
  const p = P_HALF_KL;
  const [outer, inner] = [2, 2];
  const body = (d: () => ReturnType<typeof dist.Bernoulli>, infers: SampleOptions[]) => function* () {
    yield* plate("particles", 1, function* () {
      yield* sample("x", d().expandBy([1]), infers[0]);
      yield* iplate(seq, "outer", outer, function* (i) {
        yield* sample(`y_${i}`, d().expandBy([1]), infers[1]);
        yield* plate("inner", inner, function* () {
          yield* sample(`z_${i}`, d().expandBy([inner, 1]), infers[2]);
        });
      });
    });
  };
  return {
    params,
    model: () => body(() => dist.Bernoulli(p), [{}, {}, {}]),
    guide: (theta) => body(() => dist.Bernoulli(params.tensor(theta, "q")), es.map(inf)),
    oracle: (th) => -(1 + outer * (1 + inner)) * klBern(params.value(th, "q")(), p),
  };
}

/** test_elbo_iplate_iplate: x in particles, y_i and z_i_j in two sequential plates. */
export function elboIplateIplate(es: readonly Strategy[], seq = false): EnumCase {
  const params = new Params().add("q", 0.75);
  const p = P_HALF_KL;
  const [outer, inner] = [2, 2];
  const body = (d: () => ReturnType<typeof dist.Bernoulli>, infers: SampleOptions[]) => function* () {
    yield* plate("particles", 1, function* () {
      yield* sample("x", d().expandBy([1]), infers[0]);
      yield* iplate(seq, "outer", outer, function* (i) {
        yield* sample(`y_${i}`, d().expandBy([1]), infers[1]);
        yield* iplate(seq, "inner", inner, function* (j) {
          yield* sample(`z_${i}_${j}`, d().expandBy([1]), infers[2]);
        });
      });
    });
  };
  return {
    params,
    model: () => body(() => dist.Bernoulli(p), [{}, {}, {}]),
    guide: (theta) => body(() => dist.Bernoulli(params.tensor(theta, "q")), es.map(inf)),
    oracle: (th) => -(1 + outer * (1 + inner)) * klBern(params.value(th, "q")(), p),
  };
}

/** test_non_mean_field_bern_bern_elbo_gradient: z depends on y in model and guide; both enumerated in the guide. */
export function nonMeanFieldBernBern(e: Strategy, pi1: number, pi2: number): EnumCase {
  const params = new Params().add("q1", pi1).add("q2", pi2);
  return {
    params,
    model: () => function* () {
      yield* plate("particles", 1, function* () {
        const y = yield* sample("y", dist.Bernoulli(0.33).expandBy([1]));
        yield* sample("z", dist.Bernoulli(y.mul(0.55).add(0.1)));
      });
    },
    guide: (theta) => function* () {
      const q1 = params.tensor(theta, "q1");
      const q2 = params.tensor(theta, "q2");
      yield* plate("particles", 1, function* () {
        const y = yield* sample("y", dist.Bernoulli(q1).expandBy([1]), inf(e));
        yield* sample("z", dist.Bernoulli(q2.mul(y).add(0.1)), inf(e));
      });
    },
    oracle: (th) => {
      const q1 = params.value(th, "q1")();
      const q2 = params.value(th, "q2")();
      const logQ = ([y, z]: number[]) => bernLog(q1, y!) + bernLog(q2 * y! + 0.1, z!);
      return expectation([2, 2], logQ, ([y, z]) => bernLog(0.33, y!) + bernLog(0.55 * y! + 0.1, z!) - logQ([y!, z!]));
    },
  };
}

/** test_bernoulli_non_tree_elbo_gradient: four mean-field guide Bernoullis for a non-tree model. */
export function bernoulliNonTree(e: Strategy, expand: boolean, bFactor: number, cFactor: number): EnumCase {
  const pis = [0.33, 0.51, 0.37, 0.29];
  const dOffset = 0.32;
  const names = ["qa", "qb", "qc", "qd"];
  const params = new Params();
  names.forEach((n, i) => params.add(n, pis[i]!));
  const modelP = ([a, b, c]: number[]) => [0.33, 0.25 * a! + 0.5, 0.25 * a! + 0.1 * b! + 0.5, bFactor * b! + cFactor * c! + dOffset];
  return {
    params,
    maxPlateNesting: 2,
    model: () => function* () {
      const a = yield* sample("a", dist.Bernoulli(0.33));
      const b = yield* sample("b", dist.Bernoulli(a.mul(0.25).add(0.5)));
      const c = yield* sample("c", dist.Bernoulli(a.mul(0.25).add(b.mul(0.1)).add(0.5)));
      yield* sample("d", dist.Bernoulli(b.mul(bFactor).add(c.mul(cFactor)).add(dOffset)));
    },
    guide: (theta) => function* () {
      for (const [i, n] of ["a", "b", "c", "d"].entries()) {
        yield* sample(n, dist.Bernoulli(params.tensor(theta, names[i]!)), { infer: { enumerate: e, expand } });
      }
    },
    oracle: (th) => {
      const q = names.map((n) => params.value(th, n)());
      const logQ = (v: number[]) => v.reduce((s, x, i) => s + bernLog(q[i]!, x), 0);
      return expectation([2, 2, 2, 2], logQ, (v) => modelP(v).reduce((s, p, i) => s + bernLog(p, v[i]!), 0) - logQ(v));
    },
  };
}

/** test_bernoulli_pyramid_elbo_gradient: a global, b in a plate, c in a nested plate; Pyro's closed form as the oracle. */
export function bernoulliPyramid(e: Strategy, expand: boolean, nB: number, nC: number, piB: number): EnumCase {
  const params = new Params().add("qa", 0.33).add("qb", piB).add("qc", 0.37);
  const i = (e2: Strategy) => ({ infer: { enumerate: e2, expand } });
  return {
    params,
    maxPlateNesting: 2,
    model: () => function* () {
      const a = yield* sample("a", dist.Bernoulli(0.33));
      yield* plate("b_plate", nB, function* () {
        const b = yield* sample("b", dist.Bernoulli(a.mul(0.25).add(0.5)));
        yield* plate("c_plate", nC, function* () {
          yield* sample("c", dist.Bernoulli(a.mul(0.15).add(b.mul(0.2)).add(0.32)));
        });
      });
    },
    guide: (theta) => function* () {
      const [qa, qb, qc] = ["qa", "qb", "qc"].map((n) => params.tensor(theta, n));
      yield* sample("a", dist.Bernoulli(qa!), i(e));
      yield* plate("b_plate", nB, function* () {
        yield* sample("b", dist.Bernoulli(qb!).expandBy([nB]), i(e));
        yield* plate("c_plate", nC, function* () {
          yield* sample("c", dist.Bernoulli(qc!).expandBy([nC, nB]), i(e));
        });
      });
    },
    oracle: (th) => {
      const [qa, qb, qc] = ["qa", "qb", "qc"].map((n) => params.value(th, n)());
      const a = qa!;
      const b = qb!;
      const c = qc!;
      return -(klBern(a, 0.33) + nB * a * klBern(b, 0.75) + nB * (1 - a) * klBern(b, 0.5) +
        nC * nB * (a * b * klBern(c, 0.67) + (1 - a) * b * klBern(c, 0.52) + a * (1 - b) * klBern(c, 0.47) +
          (1 - a) * (1 - b) * klBern(c, 0.32)));
    },
  };
}


/**
 * test_elbo_enumerate_plate_6: b is enumerated in the guide; model-side
 * enumeration of a moves c into b's plate by contraction.
 *     Guide           Model
 *           +-------+
 *       b ----> c <---- a
 *           |  M=2  |
 *           +-------+
 */
export function enumeratePlate6(e: Strategy): EnumCase {
  const params = new Params()
    .add("model_probs_a", [0.45, 0.55], "simplex")
    .add("model_probs_b", [0.6, 0.4], "simplex")
    .add("model_probs_c", [[[0.4, 0.5, 0.1], [0.3, 0.5, 0.2]], [[0.3, 0.4, 0.3], [0.4, 0.4, 0.2]]], "simplex")
    .add("guide_probs_b", [0.8, 0.2], "simplex");
  const data = [1, 2];
  return {
    params,
    maxPlateNesting: 1,
    model: (theta) => function* () {
      const [pa, pb, pc] = ["model_probs_a", "model_probs_b", "model_probs_c"].map((n) => params.tensor(theta, n));
      const a = yield* sample("a", dist.Categorical(pa!), inf("parallel"));
      const b = yield* sample("b", dist.Categorical(pb!), inf("parallel"));
      yield* plate("b_axis", 2, function* () {
        yield* sample("c", dist.Categorical(vindex(pc!, "...", a, b, ":")), { obs: data });
      });
    },
    guide: (theta) => function* () {
      yield* sample("b", dist.Categorical(params.tensor(theta, "guide_probs_b")), inf(e));
    },
    oracle: (th) => {
      const [pa, pb, pc, gb] = ["model_probs_a", "model_probs_b", "model_probs_c", "guide_probs_b"].map((n) => params.value(th, n));
      const logQ = ([b]: number[]) => Math.log(gb!(b!));
      return expectation([2], logQ, ([b]) =>
        Math.log(pb!(b!)) - logQ([b!]) +
        lse([2], ([a]) => Math.log(pa!(a!)) + data.reduce((s, d) => s + Math.log(pc!(a!, b!, d)), 0)));
    },
  };
}

/**
 * test_non_mean_field_bern_normal_elbo_gradient: y enumerated in the guide, z a
 * reparameterised Normal drawn once per particle in a plate of 10000; the
 * oracle is Pyro's closed form (KLs of Bernoullis and of unit-variance Normals),
 * per particle, and the check a Monte-Carlo tolerance as Pyro's.
 */
export function nonMeanFieldBernNormal(e: Strategy, pi1: number, pi2: number, pi3: number, n = 10000) {
  const params = new Params().add("q1", pi1).add("q2", pi2).add("q3", pi3);
  const klNormal = (m1: number, m2: number) => ((m1 - m2) ** 2) / 2;
  return {
    params,
    n,
    model: (theta: Parameters<typeof params.tensor>[0]) => function* () {
      const q3 = params.tensor(theta, "q3");
      yield* plate("particles", n, function* () {
        const y = yield* sample("y", dist.Bernoulli(q3).expandBy([n]));
        yield* sample("z", dist.Normal(y.mul(0.55).add(q3), 1));
      });
    },
    guide: (theta: Parameters<typeof params.tensor>[0]) => function* () {
      const q1 = params.tensor(theta, "q1");
      const q2 = params.tensor(theta, "q2");
      yield* plate("particles", n, function* () {
        const y = yield* sample("y", dist.Bernoulli(q1).expandBy([n]), inf(e));
        yield* sample("z", dist.Normal(q2.mul(y).add(0.1), 1));
      });
    },
    /** Minus the ELBO per particle. */
    lossPerParticle: (th: number[]) => {
      const [q1, q2, q3] = ["q1", "q2", "q3"].map((k) => params.value(th, k)());
      return klBern(q1!, q3!) + q1! * klNormal(q2! + 0.1, q3! + 0.55) + (1 - q1!) * klNormal(0.1, q3!);
    },
  };
}
