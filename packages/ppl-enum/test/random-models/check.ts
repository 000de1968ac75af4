/**
 * One spec through ppl and through the oracle: TraceEnumELBO's loss and
 * gradients, and inferDiscrete's MAP. Each check ends as agreement, a refusal
 * (a PPLError: counted by kind) or a mismatch (a different number, a wrong
 * shape or a raw error: the test fails and prints the case).
 */
import * as tf from "@tensorflow/tfjs";
import { PPLError, SGD, SVI, clearParamStore, getParamStore, setRngSeed, trace } from "ppl-core";
import { JitInferDiscrete, JitTraceEnumELBO, TraceEnumELBO, inferDiscrete } from "ppl-enum";
import { buildGuide, buildGuidePair, buildModel, fromPlateDims, observedValue } from "./build.js";
import { Oracle, type Theta, thetaOf } from "./oracle.js";
import { mapSpecOf, neededPlateNesting, pathOf, tuplesOf, type Spec } from "./spec.js";

export type Outcome =
  | { readonly check: string; readonly status: "ok"; readonly error: number }
  | { readonly check: string; readonly status: "refused"; readonly kind: string; readonly message: string }
  | { readonly check: string; readonly status: "mismatch"; readonly detail: string };

export const LOSS_TOL = 2e-5;
export const GRAD_TOL = 2e-4;

/** A refusal's kind: the error class and its message with names and numbers blanked out. */
export function refusalKind(e: PPLError): string {
  const first = e.message.split("\n")[0]!.replace(/'[^']*'/g, "'·'").replace(/-?\d+(\.\d+)?/g, "#");
  return `${e.name}: ${first.slice(0, 110)}`;
}

function caught(check: string, e: unknown): Outcome {
  if (e instanceof PPLError) return { check, status: "refused", kind: refusalKind(e), message: e.message };
  const err = e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e);
  if (process.env.RANDOM_MODELS_STACK) console.log((e as Error).stack);
  return { check, status: "mismatch", detail: `raw error (not a PPLError): ${err.split("\n")[0]}` };
}

/**
 * `valueGrads`: every Normal observation's value (obs or conditioned) is a variable the gradient is also
 * taken in, and checked against the oracle's finite differences in the data.
 */
export function checkElbo(spec: Spec, withGrads: boolean, valueGrads = false): Outcome[] {
  const oracle = new Oracle(spec);
  const theta = thetaOf(spec);
  // with continuous latents the oracle needs the guide's params as ppl made them: computed after the loss
  const expected = (spec.continuous ?? []).length > 0 ? Number.NaN : -oracle.elbo(theta);
  clearParamStore();
  const observed = valueGrads ? spec.sites.filter((s) => s.role === "obs" && s.family === "normal") : [];
  const values = new Map(observed.map((s) => [s.name, tf.variable(observedValue(spec, s))]));
  try {
    return checkElboWith(spec, withGrads, oracle, theta, expected, values);
  } finally {
    for (const v of values.values()) v.dispose();
  }
}

/** Every param-store variable's current (float32) values, by name. */
function storeValues(): Theta {
  return Object.fromEntries([...getParamStore().variables()].map(([name, v]) => [name, Array.from(v.dataSync())]));
}

/** The oracle's theta with the guide's params as ppl holds them (now, or in `store`), and the guide's last draw held fixed. */
function withGuide(spec: Spec, oracle: Oracle, theta: Theta, draws: ReadonlyMap<string, number[]>, store = storeValues()): Theta {
  const t = { ...theta };
  for (const p of oracle.layout.params) {
    if (store[p.store] === undefined) throw new Error(`no guide param '${p.store}' among ${Object.keys(store).join(", ")}`);
    t[p.store] = store[p.store]!;
  }
  const cs = spec.continuous ?? [];
  if (oracle.layout.kind !== "delta" && cs.length > 0) oracle.holdDraw(t, cs.map((c) => draws.get(c.name)!));
  return t;
}

function checkElboWith(spec: Spec, withGrads: boolean, oracle: Oracle, theta0: Theta, expected0: number, values: ReadonlyMap<string, tf.Variable>): Outcome[] {
  let theta = theta0;
  let expected = expected0;
  const draws = new Map<string, number[]>();
  const model = buildModel(spec, { values });
  const guide = buildGuide(spec, model, draws);
  const elbo = new TraceEnumELBO(spec.maxPlateNesting === undefined ? {} : { maxPlateNesting: spec.maxPlateNesting });
  const out: Outcome[] = [];
  let loss: number;
  try {
    loss = elbo.loss(model, guide);
  } catch (e) {
    return [caught("loss", e)];
  }
  // the autoguide's variables exist now: the oracle reads their (float32) values and the draw the loss scored
  const continuous = (spec.continuous ?? []).length > 0;
  if (continuous) {
    theta = withGuide(spec, oracle, theta, draws);
    expected = -oracle.elbo(theta);
  }
  const lossErr = Math.abs(loss - expected) / Math.max(1, Math.abs(expected));
  out.push(lossErr <= LOSS_TOL || !Number.isFinite(lossErr)
    ? (Number.isFinite(loss) ? { check: "loss", status: "ok", error: lossErr } : { check: "loss", status: "mismatch", detail: `loss ${loss}, expected ${expected}` })
    : { check: "loss", status: "mismatch", detail: `loss ${loss}, expected ${expected} (relative error ${lossErr.toExponential(2)})` });
  if (!withGrads) return out;

  let grads: Record<string, number[]>;
  let valueGrads: Record<string, number[]>;
  try {
    const variables = getParamStore().variables();
    [grads, valueGrads] = tf.tidy(() => {
      const { value, grads: g } = tf.variableGrads(() => elbo.differentiableLoss(model, guide), [...variables.values(), ...values.values()]);
      value.dispose();
      const read = (v: tf.Variable) => (g[v.name] === undefined ? [] : Array.from(g[v.name]!.dataSync()));
      return [
        Object.fromEntries([...variables].map(([name, v]) => [name, read(v)])),
        Object.fromEntries([...values].map(([name, v]) => [name, g[v.name] === undefined ? [] : fromPlateDims(spec, spec.sites.find((s) => s.name === name)!.node, g[v.name]!)])),
      ];
    });
  } catch (e) {
    out.push(caught("grad", e));
    return out;
  }
  // the gradient's run drew again: score that draw
  if (continuous) theta = withGuide(spec, oracle, theta, draws);
  out.push(compareGrads(continuous && spec.autoguide !== undefined ? "guide grad" : "grad", grads, oracle.gradient(theta)));
  if (values.size > 0) out.push(compareGrads("value grad", valueGrads, oracle.dataGradient(theta)));
  return out;
}

/** ppl's gradient of the loss against the oracle's of the ELBO (opposite signs), relative to the largest entry. */
function compareGrads(check: string, grads: Record<string, number[]>, fd: Record<string, number[]>, tol = GRAD_TOL): Outcome {
  const scaleOf = Math.max(1, ...Object.values(fd).flatMap((g) => g.map(Math.abs)));
  let worst = 0;
  const bad: string[] = [];
  for (const [name, want] of Object.entries(fd)) {
    const got = grads[name] ?? [];
    want.forEach((w, i) => {
      const g = got.length === 0 ? 0 : got[i]!; // tfjs leaves out a variable the loss does not reach
      const err = Math.abs(-g - w) / scaleOf;
      if (!(err <= tol)) bad.push(`${name}[${i}]: got ${(-g).toPrecision(6)}, expected ${w.toPrecision(6)}`);
      worst = Math.max(worst, Number.isFinite(err) ? err : Infinity);
    });
  }
  return bad.length === 0
    ? { check, status: "ok", error: worst }
    : { check, status: "mismatch", detail: `d ELBO: ${bad.slice(0, 6).join("; ")}${bad.length > 6 ? ` (+${bad.length - 6} more)` : ""}` };
}

/** The learning rate of the SVI step check (plain SGD: a param moves by lr · d ELBO). */
const SVI_LR = 0.05;

/**
 * One SVI step (SGD) on a spec with hidden params: every param hidden by block(…, { hideTypes: ["param"] }) keeps its
 * value exactly, every other moves by lr times the oracle's gradient at the step's draw.
 */
export function checkSviStep(spec: Spec): Outcome {
  const oracle = new Oracle(spec);
  clearParamStore();
  const draws = new Map<string, number[]>();
  const model = buildModel(spec);
  const guide = buildGuide(spec, model, draws);
  const elbo = new TraceEnumELBO(spec.maxPlateNesting === undefined ? {} : { maxPlateNesting: spec.maxPlateNesting });
  let before: Theta;
  let after: Theta;
  try {
    elbo.loss(model, guide); // makes every param
    before = storeValues();
    new SVI(model, guide, new SGD({ lr: SVI_LR }), elbo).step();
    after = storeValues();
  } catch (e) {
    return caught("svi step", e);
  }
  const moved = [...(spec.hidden ?? [])].filter((name) => after[name]!.some((v, i) => v !== before[name]![i]));
  if (moved.length > 0) return { check: "svi step", status: "mismatch", detail: `hidden param(s) ${moved.join(", ")} moved` };
  const theta = withGuide(spec, oracle, { ...thetaOf(spec), ...before }, draws, before);
  const fd = oracle.gradient(theta);
  // the step taken, as a gradient of the loss (SGD: after = before - lr · d loss)
  const step = Object.fromEntries(Object.keys(fd).filter((name) => !(spec.hidden ?? []).includes(name))
    .map((name) => [name, after[name]!.map((v, i) => (before[name]![i]! - v) / SVI_LR)]));
  const visible = Object.fromEntries(Object.keys(step).map((name) => [name, fd[name]!]));
  const o = compareGrads("svi step", step, visible, SVI_GRAD_TOL);
  return o;
}

/** The step is read back from float32 params moved by lr · g: their rounding (6e-8) over lr adds to the gradient's tolerance. */
const SVI_GRAD_TOL = 1e-3;

export function checkMap(spec0: Spec, keepLatentMasks: boolean): Outcome {
  const spec = mapSpecOf(spec0, keepLatentMasks);
  const oracle = new Oracle(spec);
  const theta = thetaOf(spec);
  clearParamStore();
  const model = buildModel(spec);
  const options = spec.maxPlateNesting === undefined ? { temperature: 0 as const } : { temperature: 0 as const, firstAvailableDim: -1 - spec.maxPlateNesting };
  let decoded: number[];
  try {
    decoded = tf.tidy(() => {
      const tr = trace(inferDiscrete(model, options)).getTrace();
      const m = new Array<number>(oracle.modelSizes.length).fill(-1);
      spec.sites.forEach((s, i) => {
        if (s.role !== "latent") return;
        const v = tr.sampleSite(s.name).value;
        readPerIndex(spec, s.node, v, s.name).forEach((x, ti) => (m[oracle.modelSlot(i, ti)] = x));
      });
      return m;
    });
  } catch (e) {
    if (e instanceof ShapeMismatch) return { check: "map", status: "mismatch", detail: e.message };
    return caught("map", e);
  }
  const got = oracle.mapObjective(theta, decoded);
  const best = oracle.maxObjective(theta);
  const err = (best - got) / Math.max(1, Math.abs(best));
  return err <= LOSS_TOL
    ? { check: "map", status: "ok", error: Math.max(0, err) }
    : { check: "map", status: "mismatch", detail: `MAP assignment [${decoded.join(",")}] scores ${got}, the best scores ${best}` };
}

/**
 * JitInferDiscrete on checkMap's spec: a first call makes the params, the next records, and two more replay with
 * every param-store variable moved; each call's assignment must score the oracle's best at the variables' values
 * then. `compiled` as in checkCompiledElbo.
 */
export function checkCompiledMap(spec0: Spec): { outcomes: Outcome[]; compiled: "replayed" | "interpreted" | "other" } {
  const spec = mapSpecOf(spec0, true);
  const oracle = new Oracle(spec);
  clearParamStore();
  const decoder = new JitInferDiscrete(buildModel(spec), { temperature: 0, ...(spec.maxPlateNesting === undefined ? {} : { firstAvailableDim: -1 - spec.maxPlateNesting }) });
  const out: Outcome[] = [];
  try {
    for (let k = 0; k < 4; k++) {
      if (k > 1) for (const v of getParamStore().variables().values()) v.assign(tf.tidy(() => v.add(tf.sin(tf.range(0, v.size).reshape(v.shape).add(k)).mul(0.3))));
      const decoded = tf.tidy(() => {
        const values = decoder.decode();
        const m = new Array<number>(oracle.modelSizes.length).fill(-1);
        spec.sites.forEach((s, i) => {
          if (s.role !== "latent") return;
          readPerIndex(spec, s.node, values.get(s.name)!, s.name).forEach((x, ti) => (m[oracle.modelSlot(i, ti)] = x));
        });
        return m;
      });
      const theta = { ...thetaOf(spec), ...storeValues() };
      const got = oracle.mapObjective(theta, decoded);
      const best = oracle.maxObjective(theta);
      const err = (best - got) / Math.max(1, Math.abs(best));
      out.push(err <= LOSS_TOL
        ? { check: "compiled map", status: "ok", error: Math.max(0, err) }
        : { check: "compiled map", status: "mismatch", detail: `call ${k}: MAP assignment [${decoded.join(",")}] scores ${got}, the best scores ${best}` });
    }
  } catch (e) {
    out.push(e instanceof ShapeMismatch ? { check: "compiled map", status: "mismatch", detail: e.message } : caught("compiled map", e));
  } finally {
    decoder.dispose();
  }
  const s = decoder.compileStats;
  return { outcomes: out, compiled: s.replayed >= 2 ? "replayed" : s.recorded === 0 && s.replayed === 0 ? "interpreted" : "other" };
}

class ShapeMismatch extends Error {}

/** A latent's value at each of its plate indices (plate dims may be broadcast, other dims must be size 1). */
function readPerIndex(spec: Spec, node: number | null, v: tf.Tensor, name: string): number[] {
  const path = pathOf(spec.plates, node);
  const rank = Math.max(v.rank, neededPlateNesting(spec));
  const shape = [...new Array<number>(rank - v.rank).fill(1), ...v.shape];
  const plateAt = new Map(path.map((p) => [rank + spec.plates[p]!.dim, p]));
  shape.forEach((n, j) => {
    if (n !== 1 && !plateAt.has(j)) throw new ShapeMismatch(`site '${name}': decoded value has shape [${v.shape.join(", ")}], not its plates' shape`);
  });
  const strides = shape.map((_, j) => shape.slice(j + 1).reduce((a, b) => a * b, 1));
  const data = v.dataSync();
  return tuplesOf(spec.plates, path).map((tuple) => {
    let k = 0;
    path.forEach((p, i) => {
      const j = rank + spec.plates[p]!.dim;
      if (shape[j] !== 1) k += tuple[i]! * strides[j]!;
    });
    return data[k]!;
  });
}

/**
 * JitTraceEnumELBO on a spec: a first call makes the params, the next records, and two more replay with every
 * param-store variable moved (unconstrained values, so any move is valid); each call's loss and gradients
 * against the oracle at the variables' values then. A guide that draws (a continuous latent under a sampling
 * autoguide) replays too, its draws made again from the seeded stream: each of its calls starts from a seed,
 * and the oracle holds the draw that an interpreted TraceEnumELBO run from the same seed, with a guide that
 * reads its draws in JS, scored (that run is checked against the oracle too). `compiled`: "replayed" when the
 * last two calls replayed, "interpreted" when the spec runs interpreted (a model that reads param-dependent
 * values in JS, as sequential enumeration in the model does when it compares its runs' factors).
 */
export function checkCompiledElbo(spec: Spec): { outcomes: Outcome[]; compiled: "replayed" | "interpreted" | "other" } {
  const oracle = new Oracle(spec);
  clearParamStore();
  const draws0 = (spec.continuous ?? []).length > 0 && (spec.autoguide ?? "delta") !== "delta";
  const draws = new Map<string, number[]>();
  const model = buildModel(spec);
  // the compiled guide reads nothing in JS (a read of a draw would make it run interpreted); the reference reads its draws
  const [guide, reference] = draws0 ? buildGuidePair(spec, model, draws) : [buildGuide(spec, model), undefined];
  const options = spec.maxPlateNesting === undefined ? {} : { maxPlateNesting: spec.maxPlateNesting };
  const elbo = new JitTraceEnumELBO(options);
  const interpreted = new TraceEnumELBO(options);
  const out: Outcome[] = [];
  const lossAndGrads = (e: TraceEnumELBO, g: typeof guide) => tf.tidy(() => {
    const variables = getParamStore().variables();
    const { value, grads } = tf.variableGrads(() => e.differentiableLoss(model, g), [...variables.values()]);
    const read = (v: tf.Variable) => (grads[v.name] === undefined ? [] : Array.from(grads[v.name]!.dataSync()));
    return [value.dataSync()[0]!, Object.fromEntries([...variables].map(([name, v]) => [name, read(v)]))] as const;
  });
  const checkLoss = (check: string, k: number, loss: number, theta: Theta): Outcome => {
    const expected = -oracle.elbo(theta);
    const lossErr = Math.abs(loss - expected) / Math.max(1, Math.abs(expected));
    return lossErr <= LOSS_TOL
      ? { check, status: "ok", error: lossErr }
      : { check, status: "mismatch", detail: `call ${k}: loss ${loss}, expected ${expected}` };
  };
  try {
    tf.tidy(() => elbo.differentiableLoss(model, guide)); // makes every param
    // the reference's first run sets its autoguide up (a run that draws) and infers maxPlateNesting: done before the seeded calls
    if (reference !== undefined) tf.tidy(() => interpreted.differentiableLoss(model, reference));
    for (let k = 0; k < 3; k++) {
      const variables = getParamStore().variables();
      if (k > 0) for (const v of variables.values()) v.assign(tf.tidy(() => v.add(tf.sin(tf.range(0, v.size).reshape(v.shape).add(k)).mul(0.1))));
      setRngSeed(1000 + k);
      const [loss, grads] = lossAndGrads(elbo, guide);
      if (reference !== undefined) {
        setRngSeed(1000 + k);
        const [refLoss, refGrads] = lossAndGrads(interpreted, reference);
        const theta = withGuide(spec, oracle, { ...thetaOf(spec), ...storeValues() }, draws);
        out.push(checkLoss("interpreted loss at the seed", k, refLoss, theta));
        out.push(compareGrads("interpreted grad at the seed", refGrads, oracle.gradient(theta)));
        out.push(checkLoss("compiled loss", k, loss, theta));
        out.push(compareGrads("compiled grad", grads, oracle.gradient(theta)));
        continue;
      }
      const theta = withGuide(spec, oracle, { ...thetaOf(spec), ...storeValues() }, draws);
      out.push(checkLoss("compiled loss", k, loss, theta));
      out.push(compareGrads("compiled grad", grads, oracle.gradient(theta)));
    }
  } catch (e) {
    out.push(caught("compiled", e));
  } finally {
    elbo.dispose();
  }
  const s = elbo.compileStats;
  const compiled = s.replayed >= 2 ? "replayed" : s.recorded === 0 && s.replayed === 0 ? "interpreted" : "other";
  return { outcomes: out, compiled };
}
