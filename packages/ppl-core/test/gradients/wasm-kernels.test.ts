// The kernels wasm lacks that a model's gradient reaches (backend/wasm-kernels.ts),
// on cpu and wasm: x.gather(z) in a model under SVI (UnsortedSegmentSum),
// unsortedSegmentSum itself, conv2d's and depthwiseConv2d's gradients
// (Conv2DBackpropFilter, DepthwiseConv2dNative backprops), each against
// float64 closed forms or central differences; einsum on wasm is a PPL error.
// Also gather with indices whose history reaches a param (a z the guide samples
// from Categorical(q)): tfjs's GatherV2 gradient returned the int32 indices as
// their own gradient and threw on every backend (backend/gradient-fixes.ts).
import * as tf from "@tensorflow/tfjs";
import { expect, it } from "vitest";
import { Adam, PPLSupportError, SVI, TraceELBO, clearParamStore, dist, getParamStore, param, plate, sample } from "ppl-core";
import { centralDiff, expectGradClose, fixed, onEachBackend, size } from "./fd.js";

const LOG_2PI = Math.log(2 * Math.PI);
const data = [0.3, -1.2, 2.2, 0.9, 1.7, -0.4];
const assign = [0, 2, 1, 2, 2, 0];
const weights = [0.2, 0.5, 0.3];

/** A mixture with observed assignments: obs_n ~ Normal(locs[z_n], 1), z_n ~ Categorical(weights). */
function* model(locs: tf.Tensor) {
  yield* plate("data", data.length, function* () {
    const z = yield* sample("z", dist.Categorical(tf.tensor1d(weights)), { obs: tf.tensor1d(assign, "int32") });
    yield* sample("obs", dist.Normal(locs.gather(z), 1), { obs: tf.tensor1d(data) });
  });
}
function* guide(_locs: tf.Tensor) {}

/** -log p(data, z | locs) in float64. */
const loss64 = (locs: number[]) =>
  -data.reduce((acc, y, n) => acc + Math.log(weights[assign[n]!]!) - 0.5 * (y - locs[assign[n]!]!) ** 2 - 0.5 * LOG_2PI, 0);

/** Rows of x summed by segment (TensorFlow's unsortedSegmentSum: ids outside [0, n) are dropped). */
function segmentSum64(x: number[], inner: number, ids: number[], n: number): number[] {
  const out = new Array<number>(n * inner).fill(0);
  ids.forEach((s, r) => {
    if (s >= 0 && s < n) for (let k = 0; k < inner; k++) out[s * inner + k]! += x[r * inner + k]!;
  });
  return out;
}

/** NHWC conv2d (depthwise when `depthwise`), 'valid' padding, stride 1, in float64. */
function conv64(x: number[], xs: number[], f: number[], fs: number[], depthwise: boolean): { shape: number[]; values: number[] } {
  const [B, H, W, C] = xs as [number, number, number, number];
  const [fh, fw, , M] = fs as [number, number, number, number];
  const oh = H - fh + 1;
  const ow = W - fw + 1;
  const O = depthwise ? C * M : M;
  const out = new Array<number>(B * oh * ow * O).fill(0);
  for (let b = 0; b < B; b++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) for (let o = 0; o < O; o++) {
    let acc = 0;
    for (let u = 0; u < fh; u++) for (let v = 0; v < fw; v++) {
      const xAt = (c: number) => x[((b * H + i + u) * W + j + v) * C + c]!;
      if (depthwise) {
        const c = Math.floor(o / M);
        acc += xAt(c) * f[((u * fw + v) * C + c) * M + (o % M)]!;
      } else for (let c = 0; c < C; c++) acc += xAt(c) * f[((u * fw + v) * C + c) * M + o]!;
    }
    out[((b * oh + i) * ow + j) * O + o] = acc;
  }
  return { shape: [B, oh, ow, O], values: out };
}

onEachBackend((backend) => {
  it(`the gradient of a model using locs.gather(z) equals finite differences (${backend})`, () => {
    const locs0 = [0.5, -0.3, 1.1];
    const elbo = new TraceELBO();
    const g = tf.tidy(() => tf.grad((l: tf.Tensor) => elbo.differentiableLoss(model, guide, l))(tf.tensor1d(locs0)).arraySync() as number[]);
    expectGradClose(g, centralDiff(locs0, loss64), 1e-4, "d loss / d locs");
    expect(tf.tidy(() => elbo.differentiableLoss(model, guide, tf.tensor1d(locs0)).dataSync()[0]!)).toBeCloseTo(loss64(locs0), 4);
  });

  it(`SVI trains a param read through gather: Adam's first step moves each entry by lr against its gradient's sign (${backend})`, () => {
    clearParamStore();
    function* paramModel() {
      const locs = yield* param("gather_locs", tf.tensor1d([0.5, -0.3, 1.1]));
      yield* model(locs);
    }
    function* noGuide() {}
    const svi = new SVI(paramModel, noGuide, new Adam({ lr: 0.01 }), new TraceELBO());
    svi.step();
    const before = [0.5, -0.3, 1.1];
    const grad = centralDiff(before, loss64);
    const after = getParamStore().values().gather_locs as number[];
    // the step that creates the param also applies its gradient: Adam's bias-corrected first move is -lr·sign(grad)
    after.forEach((a, k) => expect(a - before[k]!).toBeCloseTo(-0.01 * Math.sign(grad[k]!), 4));
    svi.optim.reset();
    clearParamStore();
  });

  it(`a guide-sampled z read through gather: the TraceELBO gradient in locs is the closed form at that z (${backend})`, () => {
    clearParamStore();
    const locs0 = [0.5, -0.3, 1.1];
    function* latentModel(locs: tf.Tensor) {
      yield* plate("data", data.length, function* () {
        const z = yield* sample("z", dist.Categorical(tf.tensor1d(weights)));
        yield* sample("obs", dist.Normal(locs.gather(z), 1), { obs: tf.tensor1d(data) });
      });
    }
    let drawn: number[] = [];
    function* latentGuide(_locs: tf.Tensor) {
      const q = yield* param("gather_q", tf.tensor1d([0.3, 0.3, 0.4]));
      yield* plate("data", data.length, function* () {
        const z = yield* sample("z", dist.Categorical(q));
        drawn = Array.from(z.dataSync());
      });
    }
    const elbo = new TraceELBO();
    const g = tf.tidy(() => tf.grad((l: tf.Tensor) => elbo.differentiableLoss(latentModel, latentGuide, l))(tf.tensor1d(locs0)).arraySync() as number[]);
    // only the model's Normal term depends on locs: d/dlocs_k = -Σ_{n: z_n = k} (y_n - locs_k)
    const expected = locs0.map((m, k) => -data.reduce((acc, y, n) => acc + (drawn[n] === k ? y - m : 0), 0));
    expectGradClose(g, expected, 1e-5, "d loss / d locs");
    // SVI differentiates in q too, whose path to the loss runs through the sampled indices
    const svi = new SVI(latentModel, latentGuide, new Adam({ lr: 0.01 }), new TraceELBO());
    expect(Number.isFinite(svi.step(tf.tensor1d(locs0)))).toBe(true);
    svi.optim.reset();
    clearParamStore();
  });

  it(`unsortedSegmentSum drops negative ids and its gradient is a gather (${backend})`, () => {
    const xs = [5, 2];
    const x = fixed(size(xs), -1, 1, 3);
    const ids = [1, 0, 2, 1, -1]; // tfjs's gradient (a gather) accepts negative ids, not ids >= numSegments
    const got = tf.tidy(() => Array.from(tf.unsortedSegmentSum(tf.tensor(x, xs), tf.tensor1d(ids, "int32"), 3).dataSync()));
    expectGradClose(got, segmentSum64(x, 2, ids, 3), 1e-6, "unsortedSegmentSum");
    const w = fixed(6, 0.5, 1.5, 4);
    const g = tf.tidy(() => Array.from(tf.grad((t: tf.Tensor) => tf.unsortedSegmentSum(t, tf.tensor1d(ids, "int32"), 3).mul(tf.tensor(w, [3, 2])).sum())(tf.tensor(x, xs)).dataSync()));
    expectGradClose(g, centralDiff(x, (v) => segmentSum64(v, 2, ids, 3).reduce((a, s, i) => a + w[i]! * s, 0)), 1e-4, "d/dx");
    // forward only: ids >= numSegments are dropped too
    const high = [1, 0, 3, 1, 2];
    const got2 = tf.tidy(() => Array.from(tf.unsortedSegmentSum(tf.tensor(x, xs), tf.tensor1d(high, "int32"), 3).dataSync()));
    expectGradClose(got2, segmentSum64(x, 2, high, 3), 1e-6, "unsortedSegmentSum, an id >= numSegments");
  });

  it(`oneHot gives onValue/offValue in the asked dtype (wasm wrote int32 bits into float32) (${backend})`, () => {
    const idx = tf.tensor1d([0, 2, 1], "int32");
    expect(Array.from(tf.oneHot(idx, 3, 1, 0, "float32").dataSync())).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0]);
    expect(Array.from(tf.oneHot(idx, 3, 2.5, -1, "float32").dataSync())).toEqual([2.5, -1, -1, -1, -1, 2.5, -1, 2.5, -1]);
    expect(Array.from(tf.oneHot(idx, 3).dataSync())).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0]);
    expect(tf.oneHot(tf.tensor2d([[0], [1]], [2, 1], "int32"), 2).shape).toEqual([2, 1, 2]);
    idx.dispose();
  });

  for (const depthwise of [false, true]) {
    it(`${depthwise ? "depthwiseConv2d" : "conv2d"}: value and gradients in input and filter match float64 (${backend})`, () => {
      const xs = [2, 4, 4, 2];
      const fs = [2, 2, 2, depthwise ? 2 : 3];
      const x = fixed(size(xs), -1, 1, 5);
      const f = fixed(size(fs), -1, 1, 6);
      const ref = conv64(x, xs, f, fs, depthwise);
      const w = fixed(ref.values.length, 0.5, 1.5, 7);
      const op = (a: tf.Tensor, b: tf.Tensor) =>
        depthwise ? tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid") : tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, "valid");
      tf.tidy(() => {
        const [tx, tfil] = [tf.tensor(x, xs), tf.tensor(f, fs)];
        expectGradClose(op(tx, tfil).dataSync(), ref.values, 1e-5, "value");
        const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => op(a, b).mul(tf.tensor(w, ref.shape)).sum())([tx, tfil]);
        const objective = (xv: number[], fv: number[]) => conv64(xv, xs, fv, fs, depthwise).values.reduce((a, v, i) => a + w[i]! * v, 0);
        expectGradClose(gx!.dataSync(), centralDiff(x, (v) => objective(v, f)), 1e-4, "d/dinput");
        expectGradClose(gf!.dataSync(), centralDiff(f, (v) => objective(x, v)), 1e-4, "d/dfilter");
      });
    });
  }

  if (backend === "wasm") {
    it("tf.einsum on wasm is a PPLSupportError that names it and says what to write instead", () => {
      let err: unknown;
      try {
        tf.tidy(() => tf.einsum("ij,jk->ik", tf.ones([2, 2]), tf.ones([2, 2])));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(PPLSupportError);
      expect((err as Error).message).toMatch(/tf\.einsum.*wasm.*tf\.matMul/s);
    });
  }
});
