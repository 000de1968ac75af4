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
import { TraceEnumELBO } from "ppl-enum";
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
  const values = flatValues(c);
  const truth = -c.oracle(values);
  const ppl = pplLossAndGrads(c);
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
