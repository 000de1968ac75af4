/**
 * Runs one hmm.py model at fixed values, through ppl's TraceEnumELBO, and
 * checks its loss and gradients against a float64 oracle: the probs_* sample
 * sites are pinned by Delta sites at tf.Variables, the model's params by
 * substitute, so the gradients are with respect to the values the model
 * sees (a simplex row's gradient is compared along the simplex, which is
 * all any parameterisation of it can see).
 */
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { clearParamStore, dist, sample, substitute } from "ppl-core";
import { initToValue } from "ppl-autoguide";
import { JitTraceEnumELBO, TraceEnumELBO } from "ppl-enum";
import { MODELS, type ModelArgs, type ModelNumber, maxPlateNesting } from "../src/models/index.js";
import { makeGuide } from "../src/train.js";
import { type Instance, finiteDiff, tangent } from "./oracle.js";

export interface SiteValue {
  readonly shape: readonly number[];
  readonly data: readonly number[];
  /** The last dim is a probability vector. */
  readonly simplex?: boolean;
}

export interface Case {
  readonly model: ModelNumber;
  readonly args: ModelArgs;
  readonly inst: Instance;
  /** probs_* sample sites (what AutoDelta learns). */
  readonly samples: Readonly<Record<string, SiteValue>>;
  /** param sites of the model (model_6's tables, the tones generator's weights). */
  readonly params?: Readonly<Record<string, SiteValue>>;
  readonly includePrior: boolean;
  /** log p(data, values) in float64: the log prior (if included) plus the marginal log-likelihood. */
  readonly oracle: (values: Readonly<Record<string, readonly number[]>>) => number;
}

function data(inst: Instance) {
  return { sequences: tf.tensor3d(inst.sequences), lengths: tf.tensor1d(inst.lengths, "int32") };
}

const deltaGuide = (vars: Record<string, tf.Variable>) =>
  function* () {
    for (const [name, v] of Object.entries(vars)) yield* sample(name, dist.Delta(v, { eventDim: v.rank }));
  };

/** ppl's loss and its gradient with respect to every sample and param value. */
export function pplLossAndGrads(c: Case): { loss: number; grads: Record<string, number[]> } {
  clearParamStore();
  const { sequences, lengths } = data(c.inst);
  const variable = (v: SiteValue) => tf.variable(tf.tensor(v.data as number[], v.shape as number[]));
  const sampleVars = Object.fromEntries(Object.entries(c.samples).map(([k, v]) => [k, variable(v)]));
  const paramVars = Object.fromEntries(Object.entries(c.params ?? {}).map(([k, v]) => [k, variable(v)]));
  const model = substitute(MODELS[c.model], paramVars);
  const elbo = new TraceEnumELBO({ maxPlateNesting: maxPlateNesting(c.model) });
  const all = { ...sampleVars, ...paramVars };
  const names = Object.keys(all);
  const { value, grads } = tf.variableGrads(
    () => elbo.differentiableLoss(model, deltaGuide(sampleVars), sequences, lengths, c.args, c.includePrior),
    names.map((n) => all[n]!),
  );
  const byVar = new Map(names.map((n) => [all[n]!.name, n]));
  const out = { loss: value.dataSync()[0]!, grads: {} as Record<string, number[]> };
  for (const [k, g] of Object.entries(grads)) out.grads[byVar.get(k)!] = Array.from(g.dataSync());
  tf.dispose([value, ...Object.values(grads), ...Object.values(all), sequences, lengths]);
  clearParamStore();
  return out;
}

/** The loss with hmm.py's own guide (AutoDelta over block(model, probs_*)) started at the case's values. */
export function autoDeltaLoss(c: Case): number {
  clearParamStore();
  const { sequences, lengths } = data(c.inst);
  const values = Object.fromEntries(Object.entries(c.samples).map(([k, v]) => [k, tf.tensor(v.data as number[], v.shape as number[])]));
  const params = Object.fromEntries(Object.entries(c.params ?? {}).map(([k, v]) => [k, tf.tensor(v.data as number[], v.shape as number[])]));
  const guide = makeGuide(c.model, initToValue({ values }));
  const elbo = new TraceEnumELBO({ maxPlateNesting: maxPlateNesting(c.model) });
  const loss = elbo.loss(substitute(MODELS[c.model], params), guide, sequences, lengths, c.args, c.includePrior);
  tf.dispose([...Object.values(values), ...Object.values(params), sequences, lengths]);
  clearParamStore();
  return loss;
}

const flatValues = (c: Case) =>
  Object.fromEntries(Object.entries({ ...c.samples, ...c.params }).map(([k, v]) => [k, [...v.data]]));

/** Loss to 1e-5 relative, gradients to 2e-3 of their scale against central differences of the oracle. */
export function expectMatchesOracle(c: Case): void {
  expectAgrees(c, flatValues(c), pplLossAndGrads(c));
}

/**
 * The values of the case moved by `a` inside their domains: a simplex row and
 * a probability mixed with the uniform, anything else shifted by a·sin.
 */
function moved(c: Case, a: number): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [name, site] of Object.entries({ ...c.samples, ...c.params })) {
    const width = site.shape[site.shape.length - 1] ?? 1;
    const unit = name.startsWith("probs_") && site.data.every((x) => x > 0 && x < 1);
    out[name] = site.data.map((x, i) => site.simplex ? (1 - a) * x + a / width : unit ? (1 - a) * x + a / 2 : x + a * Math.sin(i + 1));
  }
  return out;
}

/**
 * JitTraceEnumELBO on the case: one model, guide and loss for several calls,
 * the variables set to other values before each; every call's loss and
 * gradients against the oracle at that call's values (a replay that kept a
 * recorded value would fail), and the calls after the first replayed.
 */
export function expectCompiledMatchesOracle(c: Case): void {
  clearParamStore();
  const { sequences, lengths } = data(c.inst);
  const variable = (v: SiteValue) => tf.variable(tf.tensor(v.data as number[], v.shape as number[]));
  const sampleVars = Object.fromEntries(Object.entries(c.samples).map(([k, v]) => [k, variable(v)]));
  const paramVars = Object.fromEntries(Object.entries(c.params ?? {}).map(([k, v]) => [k, variable(v)]));
  const all: Record<string, tf.Variable> = { ...sampleVars, ...paramVars };
  const names = Object.keys(all);
  const byVar = new Map(names.map((n) => [all[n]!.name, n]));
  const model = substitute(MODELS[c.model], paramVars);
  const guide = deltaGuide(sampleVars);
  const elbo = new JitTraceEnumELBO({ maxPlateNesting: maxPlateNesting(c.model) });
  try {
    for (const a of [0, 0.2, 0.1, 0.3]) {
      const values = moved(c, a);
      for (const n of names) all[n]!.assign(tf.tensor(values[n]!, all[n]!.shape));
      const { value, grads } = tf.variableGrads(
        () => elbo.differentiableLoss(model, guide, sequences, lengths, c.args, c.includePrior),
        names.map((n) => all[n]!),
      );
      const ppl = { loss: value.dataSync()[0]!, grads: {} as Record<string, number[]> };
      for (const [k, g] of Object.entries(grads)) ppl.grads[byVar.get(k)!] = Array.from(g.dataSync());
      tf.dispose([value, ...Object.values(grads)]);
      expectAgrees(c, values, ppl);
    }
    expect(elbo.compileStats).toEqual({ recorded: 1, replayed: 3, interpreted: 0 });
  } finally {
    elbo.dispose();
    tf.dispose([...Object.values(all), sequences, lengths]);
    clearParamStore();
  }
}

function expectAgrees(c: Case, values: Record<string, number[]>, ppl: { loss: number; grads: Record<string, number[]> }): void {
  const truth = -c.oracle(values);
  expect(Math.abs(ppl.loss - truth) / Math.abs(truth), `loss ${ppl.loss} vs oracle ${truth}`).toBeLessThan(1e-5);
  const sites = { ...c.samples, ...c.params };
  for (const [name, site] of Object.entries(sites)) {
    const fd = finiteDiff((theta) => -c.oracle({ ...values, [name]: theta }), values[name]!);
    const got = ppl.grads[name];
    expect(got, `gradient of ${name}`).toBeDefined();
    const width = site.shape[site.shape.length - 1] ?? 1;
    const [want, have] = site.simplex ? [tangent(fd, width), tangent(got!, width)] : [fd, got!];
    const scale = Math.max(1, ...want.map(Math.abs));
    const worst = Math.max(...want.map((w, i) => Math.abs(w - have[i]!)));
    expect(worst / scale, `${name}: ppl ${fmt(have)} vs finite differences ${fmt(want)}`).toBeLessThan(2e-3);
    expect(Math.max(...want.map(Math.abs)), `${name} has a gradient`).toBeGreaterThan(1e-4);
  }
}

const fmt = (xs: readonly number[]) => `[${xs.map((x) => x.toFixed(4)).join(", ")}]`;
