/**
 * Pyro's `pyro.param(name, init, constraint=...)` for the ported tests: every
 * parameter of a case lives in one flat unconstrained vector theta, so one
 * `tf.grad` gives the whole gradient and finite differences perturb the same
 * numbers. As Pyro's param store does, a simplex parameter is the softmax of
 * its unconstrained value (over the last axis) and a positive one its exp.
 */
import * as tf from "@tensorflow/tfjs";

type Kind = "simplex" | "real" | "positive";
type Nested = number | Nested[];

interface Spec {
  name: string;
  kind: Kind;
  shape: number[];
  offset: number;
  size: number;
}

function flatten(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap(flatten) : [x];
}
function shapeOf(x: Nested): number[] {
  return Array.isArray(x) ? [x.length, ...shapeOf(x[0]!)] : [];
}

export class Params {
  private readonly specs = new Map<string, Spec>();
  private readonly init: number[] = [];

  /** Declare a parameter with its constrained initial value, as pyro.param does. */
  add(name: string, value: Nested, kind: Kind = "real"): this {
    const flat = flatten(value);
    const shape = shapeOf(value);
    this.specs.set(name, { name, kind, shape, offset: this.init.length, size: flat.length });
    this.init.push(...flat.map((v) => (kind === "real" ? v : Math.log(v))));
    return this;
  }

  /** The unconstrained starting point. */
  get theta0(): number[] {
    return [...this.init];
  }

  private spec(name: string): Spec {
    const s = this.specs.get(name);
    if (s === undefined) throw new Error(`test bug: no param ${name}`);
    return s;
  }

  /** The constrained tensor of `name`, differentiable in theta. */
  tensor(theta: tf.Tensor1D, name: string): tf.Tensor {
    const s = this.spec(name);
    const raw = theta.slice(s.offset, s.size).reshape(s.shape.length === 0 ? [] : s.shape);
    if (s.kind === "simplex") return tf.softmax(raw, -1);
    if (s.kind === "positive") return raw.exp();
    return raw;
  }

  /** The constrained value of `name` at theta in float64, read as value(i, j, ...). */
  value(theta: readonly number[], name: string): (...idx: number[]) => number {
    const s = this.spec(name);
    const raw = theta.slice(s.offset, s.offset + s.size);
    let vals: number[];
    if (s.kind === "simplex") {
      const k = s.shape[s.shape.length - 1]!;
      vals = [];
      for (let r = 0; r < raw.length; r += k) {
        const row = raw.slice(r, r + k);
        const m = Math.max(...row);
        const e = row.map((x) => Math.exp(x - m));
        const z = e.reduce((a, b) => a + b, 0);
        vals.push(...e.map((x) => x / z));
      }
    } else if (s.kind === "positive") {
      vals = raw.map(Math.exp);
    } else {
      vals = raw;
    }
    const strides = s.shape.map((_, i) => s.shape.slice(i + 1).reduce((a, b) => a * b, 1));
    return (...idx: number[]) => {
      if (idx.length !== s.shape.length) throw new Error(`test bug: ${name} needs ${s.shape.length} indices`);
      return vals[idx.reduce((a, v, i) => a + v * strides[i]!, 0)]!;
    };
  }
}
