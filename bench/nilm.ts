/**
 * The NILM rows of `pnpm bench`: disaggregating one day (T = 1 440 minutes)
 * of an M-appliance household, M = 2…10, by
 *   - ppl exact: the MAP decode (JitInferDiscrete: inferDiscrete at temperature 0, compiled) of the factorial model
 *     written with vectorizedMarkov (examples/nilm's inferDiscreteMap), M ≤ 3; in a child process with a time limit,
 *     the first call (runs the model, builds the contraction plan, records), the second, then WARM_CALLS untimed
 *     replays and the median of the WARM_TIMED replays after them (every call decodes new tensors of the day);
 *     at M ≤ 3 the baseline is timed the same way (WARM_CALLS untimed calls, the median of WARM_TIMED);
 *   - ppl approx: examples/nilm's approxMap (ppl-hmm's beam Viterbi + per-chain Viterbi, as `disaggregate --inference approx`), linear in M;
 *   - ppl factorial kernel: ppl-core's fused float64 factorial Viterbi (the plan's factorial step, called
 *     on the model's terms: examples/nilm's exactMap, ppl-hmm's factorialMap, as `ppl-hmm disaggregate` runs it), T·Σ K_m·K^M, M = 2…7, and M = 4 over 3 days;
 *   - a product-state baseline written here: one HMM over the K^M joint states with the dense
 *     K^M × K^M transition matrix (the Kronecker product of the chains'), Viterbi in float64 JS,
 *     T·K^(2M) — how NILM toolkits run an exact FHMM.
 * All three decode with the household's true parameters (only disaggregation is timed), and every
 * time is CPU seconds of the process doing it (process.cpuUsage): the bench machine is shared.
 *
 * Run as a script (`node dist/nilm.js --exact-job M T warm repeats`), it is the child that times ppl exact.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ready } from "ppl-core";
import { approxMap, logJoint } from "nilm/approx";
import { appliances } from "nilm/catalogue";
import { generate, householdParams } from "nilm/data";
import { exactMap, inferDiscreteMap } from "nilm/exact";
import { estimatedPower, teca } from "nilm/metrics";
import { type Globals, cataloguePrior } from "nilm/model";

/** A bench row, as run.ts records it. */
export interface NilmRow {
  name: string;
  config: Record<string, number | string>;
  unit: "ms" | "s";
  median: number;
  min: number;
  max: number;
  n: number;
  target?: string;
  targetValue?: number;
  note?: string;
}

const T_DAY = 1440;
/** ppl exact's child process gets this long (the contraction plan of a long loop can take a while to build). */
const EXACT_TIMEOUT_S = 240;
const EXACT_TIMEOUT_QUICK_S = 60;
/**
 * Warm timing, ppl exact's replays and the baseline alike at M ≤ 3: WARM_CALLS untimed calls, then the
 * median of WARM_TIMED. The baseline is one hot loop V8 optimises within its first call; a replay runs
 * tfjs's and ppl's JS (hundreds of functions), which V8 is still optimising over the first ~150–200 calls
 * (medians per 50 replays at M = 2, at 6ac240e: 6.0, 1.9, 2.5, 1.25, 1.5, 1.4, then ~1.0 ms): a median taken among those
 * is the warm-up's. The second call and the median of the first (up to 50) replays are reported in the note.
 */
const WARM_CALLS = 250;
const WARM_TIMED = 200;

function household(M: number, T: number) {
  const types = appliances(M);
  const truth = householdParams(types, 0);
  const day = generate(truth, T, 0);
  const prior = cataloguePrior(types);
  const globals: Globals = { probsTrans: truth.map((p) => p.probsTrans), locs: truth.map((p) => p.locs), scales: truth.map((p) => p.scales), noise: 0.01 };
  return { day, prior, globals, probsInit: prior.appliances.map((a) => a.probsInit) };
}

/** The product-state baseline: Viterbi over K^M joint states with the dense joint transition matrix. */
export function productStateViterbi(mains: readonly number[], probsInit: readonly (readonly number[])[], g: Globals): number[][] {
  const M = g.locs.length;
  const K = g.locs[0]!.length;
  const S = K ** M;
  const T = mains.length;
  const digit = (s: number, m: number) => Math.floor(s / K ** m) % K;
  // the dense K^M × K^M log transition matrix and the per-joint-state emission parameters
  const logA = new Float64Array(S * S);
  const mean = new Float64Array(S);
  const vari = new Float64Array(S);
  const logPi = new Float64Array(S);
  for (let s = 0; s < S; s++) {
    vari[s] = g.noise ** 2;
    for (let m = 0; m < M; m++) {
      const k = digit(s, m);
      mean[s]! += g.locs[m]![k]!;
      vari[s]! += g.scales[m]![k]! ** 2;
      logPi[s]! += Math.log(probsInit[m]![k]!);
    }
    for (let r = 0; r < S; r++) {
      let lp = 0;
      for (let m = 0; m < M; m++) lp += Math.log(g.probsTrans[m]![digit(s, m)]![digit(r, m)]!);
      logA[s * S + r] = lp;
    }
  }
  const emit = (y: number, s: number) => -0.5 * (Math.log(2 * Math.PI * vari[s]!) + (y - mean[s]!) ** 2 / vari[s]!);
  let delta = new Float64Array(S);
  let next = new Float64Array(S);
  const from = new Int32Array(T * S);
  for (let s = 0; s < S; s++) delta[s] = logPi[s]! + emit(mains[0]!, s);
  for (let t = 1; t < T; t++) {
    for (let r = 0; r < S; r++) {
      let best = -Infinity;
      let arg = 0;
      for (let s = 0; s < S; s++) {
        const v = delta[s]! + logA[s * S + r]!;
        if (v > best) {
          best = v;
          arg = s;
        }
      }
      next[r] = best + emit(mains[t]!, r);
      from[t * S + r] = arg;
    }
    [delta, next] = [next, delta];
  }
  let s = 0;
  for (let r = 1; r < S; r++) if (delta[r]! > delta[s]!) s = r;
  const out = Array.from({ length: M }, () => new Array<number>(T).fill(0));
  for (let t = T - 1; t >= 0; t--) {
    for (let m = 0; m < M; m++) out[m]![t] = digit(s, m);
    s = from[t * S + s]!;
  }
  return out;
}

interface ExactJob {
  firstSeconds: number;
  secondSeconds: number;
  /** The first 50 replays after the second call (V8 still optimising). */
  warmingSeconds: number[];
  /** The `repeats` replays after the `warm` ones. */
  cachedSeconds: number[];
  teca: number;
  logJoint: number;
}

/** The child's work: exact decodes of the same day, the first (records), the second, `warm` replays and `repeats` timed ones. */
async function exactJob(M: number, T: number, warm: number, repeats: number): Promise<ExactJob> {
  await ready();
  const h = household(M, T);
  const decode = () => inferDiscreteMap(h.day.mains, h.prior, h.globals);
  const firstSeconds = cpuSeconds(decode);
  let z: number[][] = [];
  const secondSeconds = cpuSeconds(() => (z = decode()));
  const warmup = Array.from({ length: warm }, () => cpuSeconds(decode));
  const cachedSeconds = Array.from({ length: repeats }, () => cpuSeconds(decode));
  return {
    firstSeconds, secondSeconds, warmingSeconds: warmup.slice(0, 50), cachedSeconds,
    teca: teca(estimatedPower(z, h.globals.locs), h.day.power), logJoint: logJoint(h.day.mains, h.probsInit, h.globals, z),
  };
}

function runExactJob(M: number, T: number, warm: number, repeats: number, limitSeconds: number): ExactJob | { error: string } {
  const r = spawnSync(process.execPath, ["--conditions=ppl-compiled", fileURLToPath(import.meta.url), "--exact-job", String(M), String(T), String(warm), String(repeats)], {
    encoding: "utf8",
    timeout: limitSeconds * 1000,
  });
  if (r.error !== undefined || r.signal !== null) return { error: `no result within ${limitSeconds} s (${r.signal ?? r.error?.message})` };
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop() ?? "") as ExactJob;
  } catch {
    return { error: `the job died (status ${r.status}): ${r.stderr.trim().split("\n").slice(-2).join(" | ")}` };
  }
}

/** CPU seconds of this process (user + system) spent in f: on a shared machine, wall time mostly measures the neighbours. */
function cpuSeconds(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

/** The times of `repeats` calls of f after `warm` untimed ones (at least one: V8 compiles f in it). */
function timed<R>(f: () => R, repeats: number, warm = 1): { result: R; times: number[] } {
  let result = f();
  for (let i = 1; i < warm; i++) result = f();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push(cpuSeconds(() => (result = f())));
  return { result, times };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)]!, min: s[0]!, max: s[s.length - 1]!, n: s.length };
};

/**
 * Every NILM row; --quick: M = 2…4, one repeat, exact at M = 2 only (timed warm as in the full run, beside the baseline timed alike).
 * The approximation's target: M = 10 within 3× of M = 4 (linear in M); exact's: faster than the baseline.
 */
export function nilmRows(quick: boolean): NilmRow[] {
  const rows: NilmRow[] = [];
  const Ms = quick ? [2, 3, 4] : [2, 3, 4, 5, 6, 7, 8, 9, 10];
  const repeats = quick ? 1 : 3;
  const baselineSeconds = new Map<number, number>();
  let baselineTooSlow = false;
  for (const M of Ms) {
    const h = household(M, T_DAY);
    const config = { M, T: T_DAY, K: 3 };
    // where ppl exact runs (M ≤ 3, quick: M = 2) the baseline, and the factorial kernel set against it, are timed
    // warm as its replays are: a cold call on one side would flatter the other
    const warm = M <= (quick ? 2 : 3);
    if (!baselineTooSlow) {
      const b = timed(() => productStateViterbi(h.day.mains, h.probsInit, h.globals), warm ? WARM_TIMED : M >= 6 ? 1 : repeats, warm ? WARM_CALLS : 1);
      const st = stats(b.times);
      baselineSeconds.set(M, st.median);
      rows.push({
        name: "nilm/product-state-baseline", config, unit: "s", ...st,
        note: `${warm ? `median of ${WARM_TIMED} after ${WARM_CALLS} untimed calls; ` : ""}T·K^(2M) = ${(T_DAY * 9 ** M).toExponential(2)}; TECA ${teca(estimatedPower(b.result, h.globals.locs), h.day.power).toFixed(3)}`,
      });
      // the next M costs 9× more
      if (st.median * 9 > (quick ? 5 : 30)) baselineTooSlow = true;
    }
    const a = timed(() => approxMap(h.day.mains, h.probsInit, h.globals), repeats);
    const four = rows.find((r) => r.name === "nilm/ppl-approx" && r.config.M === 4);
    rows.push({
      name: "nilm/ppl-approx", config, unit: "s", ...stats(a.times),
      ...(M === 10 && four !== undefined ? { target: `≤ ${(3 * four.median).toPrecision(3)} s (3× M = 4)`, targetValue: 3 * four.median } : {}),
      note: `TECA ${teca(estimatedPower(a.result.states, h.globals.locs), h.day.power).toFixed(3)}, log p ${a.result.logJoint.toFixed(0)}${four && M > 4 ? `; ${(stats(a.times).median / four.median).toFixed(2)}× M = 4` : ""}`,
    });
    if (M <= 7) {
      const f = timed(() => exactMap(h.day.mains, h.probsInit, h.globals), warm ? WARM_TIMED : M >= 6 ? 1 : repeats, warm ? WARM_CALLS : 1);
      const base = baselineSeconds.get(M);
      rows.push({
        name: "nilm/ppl-factorial-kernel", config, unit: "s", ...stats(f.times),
        ...(base !== undefined ? { target: `≤ ${base.toPrecision(3)} s (the baseline)`, targetValue: base } : {}),
        note: `${warm ? `median of ${WARM_TIMED} after ${WARM_CALLS} untimed calls; ` : ""}T·M·K^(M+1) = ${(T_DAY * M * 3 ** (M + 1)).toExponential(2)}; TECA ${teca(estimatedPower(f.result, h.globals.locs), h.day.power).toFixed(3)}`,
      });
    }
    if (M === 4) {
      const h3 = household(4, 3 * T_DAY);
      const f = timed(() => exactMap(h3.day.mains, h3.probsInit, h3.globals), repeats);
      rows.push({
        name: "nilm/ppl-factorial-kernel", config: { M: 4, T: 3 * T_DAY, K: 3 }, unit: "s", ...stats(f.times), target: "≤ 0.2 s (issue 27)", targetValue: 0.2,
        note: `3 days of minutes; TECA ${teca(estimatedPower(f.result, h3.globals.locs), h3.day.power).toFixed(3)}`,
      });
    }
    if (M <= (quick ? 2 : 3)) {
      const e = runExactJob(M, T_DAY, WARM_CALLS, WARM_TIMED, quick ? EXACT_TIMEOUT_QUICK_S : EXACT_TIMEOUT_S);
      const base = baselineSeconds.get(M);
      if ("error" in e) {
        rows.push({ name: "nilm/ppl-exact", config, unit: "s", median: NaN, min: NaN, max: NaN, n: 0, note: `failed: ${e.error}` });
      } else {
        const st = stats(e.cachedSeconds);
        rows.push({
          name: "nilm/ppl-exact", config, unit: "s", ...st,
          ...(base !== undefined ? { target: `≤ ${base.toPrecision(3)} s (the baseline)`, targetValue: base } : {}),
          note: `replayed, median of ${st.n} after ${WARM_CALLS} untimed replays${base !== undefined ? ` (${(st.median / base).toFixed(2)}× the baseline)` : ""}; first call ${e.firstSeconds.toFixed(3)} s (runs the model, builds the plan, records), second ${e.secondSeconds.toFixed(4)} s, median of the first ${e.warmingSeconds.length} replays ${stats(e.warmingSeconds).median.toFixed(4)} s; TECA ${e.teca.toFixed(3)}, log p ${e.logJoint.toFixed(0)}`,
        });
      }
    }
  }
  return rows;
}

if (process.argv[2] === "--exact-job") {
  const out = await exactJob(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5] ?? 0), Number(process.argv[6] ?? 3)).catch((e: unknown) => ({ error: (e as Error).message }));
  process.stdout.write(`${JSON.stringify(out)}\n`);
}
