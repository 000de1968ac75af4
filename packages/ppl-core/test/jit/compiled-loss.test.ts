// The compiled loss (JitTraceELBO): its value and gradient against closed forms, and each guard that makes a
// replay recompile or run interpreted, tried with a model built to trip it. The model: mu ~ N(0, 1),
// x_i ~ N(mu, s) with a MAP guide (Delta at a param), so -ELBO(loc) = -log N(loc; 0, 1) - Σ log N(x_i; loc, s)
// and d/dloc = loc + Σ (loc - x_i) / s² in float64.
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  JitTraceELBO, type Model, SGD, SVI, TraceELBO, clearParamStore, dist, getParamStore, param, plate, sample,
} from "ppl-core";
import { customGradient } from "ppl-core/internal";
import { normalLogPdf } from "../helpers.js";
import { writeTensor } from "../../src/ops/kernel-io.js";

function* model(x: tf.Tensor, s = 1) {
  const mu = yield* sample("mu", dist.Normal(0, 1));
  yield* plate("data", x.shape[0]!, function* () {
    yield* sample("obs", dist.Normal(mu, s), { obs: x });
  });
}

function* guide(_x: tf.Tensor, _s = 1) {
  const loc = yield* param("loc", tf.scalar(0.5));
  yield* sample("mu", dist.Delta(loc));
}

const truthLoss = (loc: number, xs: readonly number[], s = 1) =>
  -normalLogPdf(loc, 0, 1) - xs.reduce((a, x) => a + normalLogPdf(x, loc, s), 0);
const truthGrad = (loc: number, xs: readonly number[], s = 1) => loc + xs.reduce((a, x) => a + (loc - x) / (s * s), 0);

/** The loss and d/dloc of `elbo` at the store's current loc. */
function lossAndGrad<A extends unknown[]>(elbo: JitTraceELBO | TraceELBO, m: Model<A>, g: Model<A>, ...args: A) {
  // the first call creates the param
  if (!getParamStore().has("loc")) tf.tidy(() => elbo.differentiableLoss(m, g, ...args));
  const v = getParamStore().unconstrained("loc");
  const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(m, g, ...args), [v]);
  const out = { loss: value.dataSync()[0]!, grad: grads[v.name]!.dataSync()[0]! };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

afterEach(() => {
  clearParamStore();
  vi.restoreAllMocks();
});

describe("JitTraceELBO: replayed loss and gradient", () => {
  it("equal the closed form over SVI steps, and SVI's params follow the float64 gradient descent", () => {
    clearParamStore();
    const xs = [1.2, 0.8, 1.5, 2.0, 1.1];
    const data = tf.tensor1d(xs);
    const elbo = new JitTraceELBO();
    const lr = 0.03;
    const svi = new SVI(model, guide, new SGD({ lr }), elbo);
    let loc = 0.5;
    for (let i = 0; i < 8; i++) {
      const loss = svi.step(data);
      expect(loss).toBeCloseTo(truthLoss(loc, xs), 4);
      loc -= lr * truthGrad(loc, xs);
      expect(getParamStore().get("loc").dataSync()[0]).toBeCloseTo(loc, 5);
    }
    // step 1 made the param (not kept), then recorded once; every later call replayed
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 7, interpreted: 0 });
    data.dispose();
  });

  it("a different data tensor of the same shape gives the numbers of the new data (arguments are the program's inputs)", () => {
    const elbo = new JitTraceELBO();
    const a = [1, 2, 3];
    const b = [-4, 0.5, 7];
    lossAndGrad(elbo, model, guide, tf.tensor1d(a));
    const r = lossAndGrad(elbo, model, guide, tf.tensor1d(b));
    expect(elbo.compileStats.replayed).toBe(1);
    expect(r.loss).toBeCloseTo(truthLoss(0.5, b), 4);
    expect(r.grad).toBeCloseTo(truthGrad(0.5, b), 4);
  });

  it("steps on the data alone are kept for the same data tensors and made again for others", () => {
    // obs = 2x - 1: two kernels on the data, no param: kept between replays with the same tensor
    function* shifted(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      const y = x.mul(2).sub(1);
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(mu, 1), { obs: y });
      });
    }
    const elbo = new JitTraceELBO();
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([-4, 0.5, 7]);
    for (const [t, xs, loc] of [[a, [1, 2, 3], 0.5], [a, [1, 2, 3], 0.7], [b, [-4, 0.5, 7], 0.9], [a, [1, 2, 3], 1.1]] as const) {
      if (getParamStore().has("loc")) getParamStore().unconstrained("loc").assign(tf.scalar(loc));
      const r = lossAndGrad(elbo, shifted, guide, t);
      const ys = xs.map((x) => 2 * x - 1);
      expect(r.loss).toBeCloseTo(truthLoss(loc, ys), 4);
      expect(r.grad).toBeCloseTo(truthGrad(loc, ys), 4);
    }
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 3, interpreted: 0 });
  });

  it("a step on the data is made again only when an argument that reaches it changed", () => {
    // obs = (2x - 1) + y: the op on x alone counts its runs; a call with the same x tensor and a new y runs only
    // the add (the op's kept value is read), a new x runs the op again; the loss is the closed form each time
    let runs = 0;
    const shift = (x: tf.Tensor) => customGradient<[tf.Tensor]>(([t]) => ({
      value: writeTensor(t.shape, [t], (out, [v]) => {
        runs++;
        for (let i = 0; i < out.length; i++) out[i] = 2 * v![i]! - 1;
      }),
      gradFunc: (dy: tf.Tensor) => [dy.mul(2)],
    }))(x);
    function* twoArgs(x: tf.Tensor, y: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      const w = shift(x).add(y);
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(mu, 1), { obs: w });
      });
    }
    function* guide2(_x: tf.Tensor, _y: tf.Tensor) {
      const loc = yield* param("loc", tf.scalar(0.5));
      yield* sample("mu", dist.Delta(loc));
    }
    const elbo = new JitTraceELBO();
    const xa = tf.tensor1d([1, 2, 3]);
    const xb = tf.tensor1d([-4, 0.5, 7]);
    const calls: [tf.Tensor, number[]][] = [[xa, [0, 1, -1]], [xa, [2, 2, 2]], [xa, [0.5, -3, 1]], [xb, [1, 0, 0]], [xb, [0, 1, -1]]];
    const ran: number[] = [];
    for (const [x, y] of calls) {
      const before = runs;
      const yt = tf.tensor1d(y);
      const r = lossAndGrad(elbo, twoArgs, guide2, x, yt);
      ran.push(runs - before);
      const obs = Array.from(x.dataSync()).map((v, i) => 2 * v - 1 + y[i]!);
      expect(r.loss).toBeCloseTo(truthLoss(0.5, obs), 4);
      expect(r.grad).toBeCloseTo(truthGrad(0.5, obs), 4);
      yt.dispose();
    }
    // the first replay (call 2) runs every step; calls 3 and 5 (the same x, a new y) run no op on x, call 4 (a new x) once
    expect(ran.slice(2)).toEqual([0, 1, 0]);
    expect(elbo.compileStats.replayed).toBe(4);
    tf.dispose([xa, xb]);
  });

  it("a new shape records a new program and stays right; the old shape replays its own", () => {
    const elbo = new JitTraceELBO();
    const a = [1, 2, 3];
    const b = [0.3, -1, 2, 5, 8];
    for (const xs of [a, a, b, b, a]) {
      const r = lossAndGrad(elbo, model, guide, tf.tensor1d(xs));
      expect(r.loss).toBeCloseTo(truthLoss(0.5, xs), 4);
      expect(r.grad).toBeCloseTo(truthGrad(0.5, xs), 4);
    }
    expect(elbo.compileStats).toEqual({ recorded: 2, replayed: 3, interpreted: 0 });
  });

  it("a non-tensor argument is part of the signature: another value, another program", () => {
    const elbo = new JitTraceELBO();
    const xs = [1, 2, 3];
    const data = tf.tensor1d(xs);
    for (const s of [1, 2, 2, 1]) {
      const r = lossAndGrad(elbo, model, guide, data, s);
      expect(r.loss).toBeCloseTo(truthLoss(0.5, xs, s), 4);
      expect(r.grad).toBeCloseTo(truthGrad(0.5, xs, s), 4);
    }
    expect(elbo.compileStats).toEqual({ recorded: 2, replayed: 2, interpreted: 0 });
  });

  it("a number changed in place deep in a plain-object argument records a new program (the signature compares the leaves, not the object)", () => {
    function* scaled(x: tf.Tensor, opts: { noise: { s: number[] } }) {
      yield* model(x, opts.noise.s[0]);
    }
    function* scaledGuide(x: tf.Tensor, _opts: { noise: { s: number[] } }) {
      yield* guide(x);
    }
    const elbo = new JitTraceELBO();
    const xs = [1, 2, 3];
    const data = tf.tensor1d(xs);
    const opts = { noise: { s: [1] } };
    const shapes: number[] = [];
    for (const s of [1, 1, 2, 2, 1]) {
      opts.noise.s[0] = s;
      const r = lossAndGrad(elbo, scaled, scaledGuide, data, opts);
      expect(r.loss).toBeCloseTo(truthLoss(0.5, xs, s), 4);
      expect(r.grad).toBeCloseTo(truthGrad(0.5, xs, s), 4);
      shapes.push(elbo.compileStats.recorded);
    }
    // s = 1 records, replays; s = 2 records, replays; s = 1 replays its own
    expect(shapes).toEqual([1, 1, 2, 2, 2]);
    expect(elbo.compileStats.replayed).toBe(3);
  });

  it("a cleared and re-created ParamStore records again (the old variables are disposed)", () => {
    const elbo = new JitTraceELBO();
    const xs = [1, 2, 3];
    const data = tf.tensor1d(xs);
    lossAndGrad(elbo, model, guide, data);
    clearParamStore();
    const r = lossAndGrad(elbo, model, guide, data);
    expect(r.grad).toBeCloseTo(truthGrad(0.5, xs), 4);
    expect(elbo.compileStats.recorded).toBe(2);
  });

  it("a call that creates a param stops recording there (its program is dropped), and the next call records whole", () => {
    // whether the recorder shadows the engine's kernel entry point when the guide reads its param, call by call
    const shadowed: boolean[] = [];
    const own = () => Object.prototype.hasOwnProperty.call(tf.engine(), "runKernelFunc");
    function* watched(x: tf.Tensor) {
      const loc = yield* param("loc", tf.scalar(0.5));
      shadowed.push(own());
      yield* sample("mu", dist.Delta(loc));
      void x;
    }
    const xs = [1, 2, 3];
    const data = tf.tensor1d(xs);
    const elbo = new JitTraceELBO();
    const r = lossAndGrad(elbo, model, watched, data);
    expect(shadowed).toEqual([false, true]);
    expect(own()).toBe(false);
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 0, interpreted: 0 });
    expect(r.loss).toBeCloseTo(truthLoss(0.5, xs), 4);
    expect(r.grad).toBeCloseTo(truthGrad(0.5, xs), 4);
    const again = lossAndGrad(elbo, model, watched, data);
    expect(elbo.compileStats.replayed).toBe(1);
    expect(again.grad).toBeCloseTo(truthGrad(0.5, xs), 4);
  });
});

describe("JitTraceELBO: memory", () => {
  it("a replay with no gradient tape runs a custom op's function itself: the closed form, and its intermediates go with the call's scope", () => {
    // obs = 2x - 1 through an op whose function makes an intermediate tensor (x · 2) before its value
    const shift = (x: tf.Tensor) => customGradient<[tf.Tensor]>(([t]) => {
      const doubled = t.mul(2);
      return { value: doubled.sub(1), gradFunc: (dy: tf.Tensor) => [dy.mul(2)] };
    })(x);
    function* shifted(x: tf.Tensor) {
      yield* model(shift(x));
    }
    function* shiftedGuide(x: tf.Tensor) {
      yield* guide(x);
    }
    const xs = [1, 2, 3];
    const obs = xs.map((v) => 2 * v - 1);
    const data = tf.tensor1d(xs);
    const elbo = new JitTraceELBO();
    // records, then replays (keeping the op's value on the data)
    lossAndGrad(elbo, shifted, shiftedGuide, data);
    lossAndGrad(elbo, shifted, shiftedGuide, data);
    const settled = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      // a new tensor each call: the op runs on every replay
      const x = tf.tensor1d(xs);
      const loss = tf.tidy(() => elbo.differentiableLoss(shifted, shiftedGuide, x).dataSync()[0]!);
      expect(loss).toBeCloseTo(truthLoss(0.5, obs), 4);
      x.dispose();
      // and under a tape, the gradient through the op's own gradient function
      const r = lossAndGrad(elbo, shifted, shiftedGuide, data);
      expect(r.grad).toBeCloseTo(truthGrad(0.5, obs), 4);
    }
    expect(elbo.compileStats.replayed).toBe(7);
    // the kept values change with the argument tensors; nothing else stays
    expect(tf.memory().numTensors).toBe(settled);
    elbo.dispose();
    data.dispose();
  });

  it("replayed steps leave no tensor behind, and dispose() releases the program's kept constants", () => {
    const data = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numTensors;
    const elbo = new JitTraceELBO();
    const svi = new SVI(model, guide, new SGD({ lr: 0.01 }), elbo);
    svi.step(data);
    svi.step(data);
    const settled = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) svi.step(data);
    expect(tf.memory().numTensors).toBe(settled);
    expect(elbo.compileStats.replayed).toBe(6);
    elbo.dispose();
    clearParamStore();
    expect(tf.memory().numTensors).toBe(before);
    data.dispose();
  });
});

describe("JitTraceELBO: guards that run the loss interpreted, with a message", () => {
  it("a param-dependent `if` on dataSync() falls back and takes the branch of the current value", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    // s = 1 while loc < 1, else s = 2: a replay would keep the recorded branch
    function* branchy(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      const s = mu.dataSync()[0]! < 1 ? 1 : 2;
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(mu, s), { obs: x });
      });
    }
    const elbo = new JitTraceELBO();
    const xs = [1, 2, 3];
    const data = tf.tensor1d(xs);
    lossAndGrad(elbo, branchy, guide, data);
    getParamStore().unconstrained("loc").assign(tf.scalar(1.5));
    const r = lossAndGrad(elbo, branchy, guide, data);
    expect(r.loss).toBeCloseTo(truthLoss(1.5, xs, 2), 4);
    expect(r.grad).toBeCloseTo(truthGrad(1.5, xs, 2), 4);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/JitTraceELBO runs this loss interpreted.*read a value that depends on a param/);
  });

  it("an argument the signature cannot key (a class instance deep in a plain object) runs interpreted, and the message says where", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    class Scale {
      constructor(readonly s: number) {}
    }
    function* scaled(x: tf.Tensor, opts: { nested: { scale: Scale }[] }) {
      yield* model(x, opts.nested[0]!.scale.s);
    }
    function* scaledGuide(x: tf.Tensor, opts: { nested: { scale: Scale }[] }) {
      yield* guide(x, opts.nested[0]!.scale.s);
    }
    const elbo = new JitTraceELBO();
    const xs = [1, 2, 3];
    const data = tf.tensor1d(xs);
    const opts = { nested: [{ scale: new Scale(2) }] };
    lossAndGrad(elbo, scaled, scaledGuide, data, opts);
    const r = lossAndGrad(elbo, scaled, scaledGuide, data, opts);
    expect(r.loss).toBeCloseTo(truthLoss(0.5, xs, 2), 4);
    expect(r.grad).toBeCloseTo(truthGrad(0.5, xs, 2), 4);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/runs this loss interpreted.*argument 1\.nested\[0\]\.scale is Scale, whose contents a compiled loss cannot key/);
    elbo.dispose();
    data.dispose();
  });

  it("a custom op whose function captures a param-dependent tensor it is not given falls back", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    function* capturing(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      // d/dx (x · mu) with mu captured: the value uses mu, the gradient only flows to x
      const scaled = customGradient<[tf.Tensor]>(([t]) => ({ value: t.mul(mu), gradFunc: (dy) => dy.mul(mu) }))(x);
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(mu, 1), { obs: scaled });
      });
    }
    const elbo = new JitTraceELBO();
    const data = tf.tensor1d([1, 2, 3]);
    lossAndGrad(elbo, capturing, guide, data);
    getParamStore().unconstrained("loc").assign(tf.scalar(2));
    const r = lossAndGrad(elbo, capturing, guide, data);
    expect(r.loss).toBeCloseTo(truthLoss(2, [2, 4, 6]), 4);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(String(warn.mock.calls[0]![0])).toMatch(/closure capture/);
  });

  it("a custom op whose gradient function alone captures a param-dependent tensor falls back", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    function* capturingGradient(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      // the value is x + mu (both inputs); the gradient to x is scaled by a closure's copy of mu (kept: the
      // backward pass runs after the loss's scopes end), a wrong gradient on purpose
      const muCopy = tf.keep(mu.mul(1));
      const shifted = customGradient<[tf.Tensor, tf.Tensor]>(([t, m]) => ({ value: t.add(m), gradFunc: (dy) => [dy.mul(muCopy), dy.sum()] }))(x, mu);
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(shifted, 1), { obs: x });
      });
    }
    const elbo = new JitTraceELBO();
    const data = tf.tensor1d([1, 2, 3]);
    lossAndGrad(elbo, capturingGradient, guide, data);
    lossAndGrad(elbo, capturingGradient, guide, data);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(String(warn.mock.calls[0]![0])).toMatch(/closure capture/);
  });

  it("a custom op whose gradient function captures a param-dependent tensor falls back when no tape runs its gradient (checked at record time)", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    function* capturingGradient(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      const muCopy = tf.keep(mu.mul(1));
      const shifted = customGradient<[tf.Tensor, tf.Tensor]>(([t, m]) => ({ value: t.add(m), gradFunc: (dy) => [dy.mul(muCopy), dy.sum()] }))(tf.zerosLike(x), mu);
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(shifted, 1), { obs: x });
      });
    }
    const elbo = new JitTraceELBO();
    const xs = [1, 2, 3];
    const data = tf.tensor1d(xs);
    // no gradient tape: the first call creates the param, the next two record and are refused by the gradient's check
    const losses = [0, 1, 2].map(() => tf.tidy(() => elbo.differentiableLoss(capturingGradient, guide, data).dataSync()[0]!));
    expect(losses[2]).toBeCloseTo(truthLoss(0.5, xs), 4);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/closure capture/);
    elbo.dispose();
    data.dispose();
  });

  it("a recording whose tape's backward pass did not run a custom op's gradient is recorded again, its gradients checked at record time", () => {
    function* identityOp(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      const same = customGradient<[tf.Tensor]>(([m]) => ({ value: m.mul(1), gradFunc: (dy) => [dy] }))(mu);
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(same, 1), { obs: x });
      });
    }
    const elbo = new JitTraceELBO();
    const xs = [1.2, 0.8, 1.5];
    const data = tf.tensor1d(xs);
    tf.tidy(() => elbo.differentiableLoss(identityOp, guide, data));
    // a tape from another variable: its backward pass never reaches the op, so the op's gradient check does not run
    const other = tf.variable(tf.scalar(0));
    const side = tf.variableGrads(() => elbo.differentiableLoss(identityOp, guide, data).add(other) as tf.Scalar, [other]);
    tf.dispose([side.value, ...Object.values(side.grads)]);
    expect(elbo.compileStats.recorded).toBe(1);
    const first = lossAndGrad(elbo, identityOp, guide, data);
    expect(elbo.compileStats).toEqual({ recorded: 2, replayed: 0, interpreted: 0 });
    const replayed = lossAndGrad(elbo, identityOp, guide, data);
    expect(elbo.compileStats).toEqual({ recorded: 2, replayed: 1, interpreted: 0 });
    for (const r of [first, replayed]) {
      expect(r.loss).toBeCloseTo(truthLoss(0.5, xs), 4);
      expect(r.grad).toBeCloseTo(truthGrad(0.5, xs), 4);
    }
    other.dispose();
    elbo.dispose();
    data.dispose();
  });

  it("a custom op whose gradient's JS kernel (kernel-io.ts) is given a captured param-dependent tensor falls back", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    function* capturingKernel(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      const muCopy = tf.keep(mu.mul(1));
      // the gradient to x is dy · mu read by a JS kernel from the closure's copy (a wrong gradient on purpose)
      const shifted = customGradient<[tf.Tensor, tf.Tensor]>(([t, m]) => ({
        value: t.add(m),
        gradFunc: (dy) => [writeTensor(dy.shape, [dy, muCopy], (out, [d, c]) => out.forEach((_, i) => (out[i] = d![i]! * c![0]!))), dy.sum()],
      }))(x, mu);
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal(shifted, 1), { obs: x });
      });
    }
    const elbo = new JitTraceELBO();
    const data = tf.tensor1d([1, 2, 3]);
    lossAndGrad(elbo, capturingKernel, guide, data);
    lossAndGrad(elbo, capturingKernel, guide, data);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(String(warn.mock.calls[0]![0])).toMatch(/closure capture/);
  });

  it("a custom-gradient op made before the call (not seen by the recorder) falls back", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const double = tf.customGrad(((t: tf.Tensor) => ({ value: t.mul(2), gradFunc: (dy: tf.Tensor) => dy.mul(2) })) as never);
    function* kept(x: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      yield* plate("data", x.shape[0]!, function* () {
        yield* sample("obs", dist.Normal((double as unknown as (t: tf.Tensor) => tf.Tensor)(mu), 1), { obs: x });
      });
    }
    const elbo = new JitTraceELBO();
    const data = tf.tensor1d([1, 2, 3]);
    lossAndGrad(elbo, kept, guide, data);
    lossAndGrad(elbo, kept, guide, data);
    expect(elbo.compileStats.recorded).toBe(0);
    expect(String(warn.mock.calls[0]![0])).toMatch(/custom-gradient op was made outside the call/);
  });

  it("argument values read in JS key the program: new values record a new one and stay right", () => {
    // the model reads n (how many of the data to use) from an int tensor argument
    function* counted(x: tf.Tensor, n: tf.Tensor) {
      const mu = yield* sample("mu", dist.Normal(0, 1));
      const k = n.dataSync()[0]!;
      const used = x.slice(0, k);
      yield* plate("data", k, function* () {
        yield* sample("obs", dist.Normal(mu, 1), { obs: used });
      });
    }
    const countedGuide = guide as unknown as Model<[tf.Tensor, tf.Tensor]>;
    const elbo = new JitTraceELBO();
    const xs = [1, 2, 3, 4];
    const data = tf.tensor1d(xs);
    for (const k of [2, 2, 4, 4, 2]) {
      const r = lossAndGrad(elbo, counted, countedGuide, data, tf.scalar(k, "int32"));
      expect(r.grad).toBeCloseTo(truthGrad(0.5, xs.slice(0, k)), 4);
    }
    expect(elbo.compileStats).toEqual({ recorded: 2, replayed: 3, interpreted: 0 });
  });
});
