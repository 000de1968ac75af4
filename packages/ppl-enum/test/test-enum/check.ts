/**
 * Pyro's `_check_loss_and_grads` for the ported cases, with a float64 oracle
 * in place of Pyro's hand model: ppl's loss must equal minus the oracle's
 * ELBO, and ppl's gradient in theta must equal central finite differences of
 * minus the oracle.
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { PPLError } from "ppl-core";
import type { Model } from "ppl-core";
import { JitTraceEnumELBO, TraceEnumELBO } from "ppl-enum";
import { finiteDiff } from "./oracle.js";
import type { Params } from "./params.js";

function* emptyGuide() {}

export interface EnumCase {
  params: Params;
  model: (theta: tf.Tensor1D) => Model<[]>;
  guide?: (theta: tf.Tensor1D) => Model<[]>;
  maxPlateNesting?: number;
  /** The float64 ELBO at theta: log p - log q, summed or averaged exactly. */
  oracle: (theta: number[]) => number;
  /** Gradients are checked unless false. */
  grads?: boolean;
}

export interface Tolerance {
  loss?: number;
  grad?: number;
}

function elboOf(c: EnumCase): TraceEnumELBO {
  return new TraceEnumELBO(c.maxPlateNesting === undefined ? {} : { maxPlateNesting: c.maxPlateNesting });
}

/** ppl's loss at theta0 (through `loss`, the non-differentiable entry point). */
export function pplLoss(c: EnumCase, theta = c.params.theta0): number {
  return tf.tidy(() => {
    const t = tf.tensor1d(theta);
    return elboOf(c).loss(c.model(t), c.guide?.(t) ?? emptyGuide);
  });
}

export function checkLossAndGrads(c: EnumCase, tol: Tolerance = {}): void {
  const theta0 = c.params.theta0;
  const expected = -c.oracle(theta0);
  const lossTol = tol.loss ?? 1e-4;
  const elbo = elboOf(c);
  const lossAt = (t: tf.Tensor) => elbo.differentiableLoss(c.model(t as tf.Tensor1D), c.guide?.(t as tf.Tensor1D) ?? emptyGuide);
  const { loss, grad } = tf.tidy(() => {
    const { value, grad: g } = tf.valueAndGrad((t: tf.Tensor) => lossAt(t))(tf.tensor1d(theta0));
    return { loss: value.dataSync()[0]!, grad: Array.from(g.dataSync()) };
  });
  expect(Math.abs(loss - expected), `differentiableLoss ${loss}, oracle ${expected}`).toBeLessThanOrEqual(
    lossTol * Math.max(1, Math.abs(expected)),
  );
  const viaLoss = pplLoss(c);
  expect(Math.abs(viaLoss - expected), `loss ${viaLoss}, oracle ${expected}`).toBeLessThanOrEqual(
    lossTol * Math.max(1, Math.abs(expected)),
  );
  if (c.grads === false) return;
  const fd = finiteDiff((t) => -c.oracle(t), theta0);
  const scaleOf = Math.max(1, ...fd.map(Math.abs));
  const worst = Math.max(...grad.map((g, i) => Math.abs(g - fd[i]!)));
  expect(worst / scaleOf, `gradient ${fmt(grad)}\n finite differences of the oracle ${fmt(fd)}`).toBeLessThan(tol.grad ?? 2e-3);
}

const fmt = (xs: number[]) => `[${xs.map((x) => x.toFixed(5)).join(", ")}]`;

/** Assert that ppl's gradient in theta equals given reference values (for Pyro's golden gradients). */
export function pplGrad(c: EnumCase): number[] {
  const elbo = elboOf(c);
  return tf.tidy(() =>
    Array.from(
      tf.grad((t: tf.Tensor) => elbo.differentiableLoss(c.model(t as tf.Tensor1D), c.guide?.(t as tf.Tensor1D) ?? emptyGuide))(
        tf.tensor1d(c.params.theta0),
      ).dataSync(),
    ));
}

/** Pyro's reason for refusing a model: the PPLError class ppl must throw and what its message must say. */
export interface Refusal {
  readonly error: abstract new (...args: never[]) => PPLError;
  readonly message: RegExp;
}

/**
 * A model Pyro rejects must be refused for Pyro's reason (the given error class and message: any
 * other error fails), or give the right number.
 */
export function refusedOrRight(run: () => number, expected: number, refusal: Refusal): void {
  let got: number;
  try {
    got = run();
  } catch (e) {
    expect(e, String(e)).toBeInstanceOf(refusal.error);
    expect((e as Error).message).toMatch(refusal.message);
    return;
  }
  expect(Math.abs(got - expected), `loss ${got}, oracle ${expected}`).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(expected)));
}

/** A Monte-Carlo case: ppl's loss and gradient per particle against a closed form, to an absolute tolerance. */
export interface McCase {
  params: Params;
  n: number;
  model: (theta: tf.Tensor1D) => Model<[]>;
  guide: (theta: tf.Tensor1D) => Model<[]>;
  lossPerParticle: (theta: number[]) => number;
}

export function checkMonteCarlo(c: McCase, tol: number): void {
  const theta0 = c.params.theta0;
  const elbo = new TraceEnumELBO();
  const { loss, grad } = tf.tidy(() => {
    const { value, grad: g } = tf.valueAndGrad((t: tf.Tensor) =>
      elbo.differentiableLoss(c.model(t as tf.Tensor1D), c.guide(t as tf.Tensor1D)))(tf.tensor1d(theta0));
    return { loss: value.dataSync()[0]! / c.n, grad: Array.from(g.dataSync()).map((x) => x / c.n) };
  });
  const want = c.lossPerParticle(theta0);
  const fd = finiteDiff(c.lossPerParticle, theta0);
  expect(Math.abs(loss - want), `loss per particle ${loss}, closed form ${want}`).toBeLessThan(tol);
  grad.forEach((g, i) => expect(Math.abs(g - fd[i]!), `gradient ${fmt(grad)}, closed form ${fmt(fd)}`).toBeLessThan(tol));
}

/**
 * `checkLossAndGrads` for JitTraceEnumELBO: theta is a tf.Variable the model
 * and guide close over (a compiled program reads variables by identity), the
 * first call records, and the calls after replay at other points theta0 + d:
 * each loss must equal minus the oracle there and each gradient its finite
 * differences, so a replay that kept any recorded value would fail.
 */
export function checkCompiledLossAndGrads(c: EnumCase, tol: Tolerance = {}): void {
  const theta0 = c.params.theta0;
  const theta = tf.variable(tf.tensor1d(theta0));
  const model = c.model(theta as unknown as tf.Tensor1D);
  const guide = c.guide?.(theta as unknown as tf.Tensor1D) ?? emptyGuide;
  const elbo = new JitTraceEnumELBO(c.maxPlateNesting === undefined ? {} : { maxPlateNesting: c.maxPlateNesting });
  try {
    const shifts = [0, 0.06, -0.04, 0.03];
    for (const [k, d] of shifts.entries()) {
      const at = theta0.map((t, i) => t + d * Math.sin(i + 1));
      theta.assign(tf.tensor1d(at));
      const { loss, grad } = tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => elbo.differentiableLoss(model, guide), [theta]);
        return { loss: value.dataSync()[0]!, grad: Array.from(grads[theta.name]!.dataSync()) };
      });
      const expected = -c.oracle(at);
      expect(Math.abs(loss - expected), `call ${k}: compiled loss ${loss}, oracle ${expected}`).toBeLessThanOrEqual(
        (tol.loss ?? 1e-4) * Math.max(1, Math.abs(expected)),
      );
      if (c.grads === false) continue;
      const fd = finiteDiff((t) => -c.oracle(t), at);
      const worst = Math.max(...grad.map((g, i) => Math.abs(g - fd[i]!)));
      expect(worst / Math.max(1, ...fd.map(Math.abs)), `call ${k}: gradient ${fmt(grad)}\n finite differences ${fmt(fd)}`)
        .toBeLessThan(tol.grad ?? 2e-3);
    }
    // a first call that infers maxPlateNesting draws in a plain run: refused once when a site there draws with a JS
    // sampler (a categorical's), recorded like any other call when its draws replay; every later call replays
    const inferred = c.maxPlateNesting === undefined ? 1 : 0;
    const { recorded, replayed, interpreted } = elbo.compileStats;
    expect(recorded).toBe(1);
    expect(interpreted).toBeLessThanOrEqual(inferred);
    expect(replayed).toBe(shifts.length - 1 - interpreted);
  } finally {
    elbo.dispose();
    theta.dispose();
  }
}
