/**
 * `ppl-hmm disaggregate DATA.csv --appliances … --train-until … --out DIR`:
 * read and check everything (options, file, columns, time index, the
 * output folder) before any work, learn, disaggregate, write
 * disaggregation.csv, model.json, metrics.json (when the test rows have their
 * sub-meters) and the figures; `--json` prints one result object.
 */
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EnvironmentError } from "../errors.js";
import { readText } from "../files.js";
import { writeFigure } from "../figures/render.js";
import { userPath } from "../paths.js";
import { type HouseRun, disaggregateHouse } from "./disaggregate-house.js";
import { METER_NOISE_W, checkExactStates } from "./factorial.js";
import { type HouseData, readHouse } from "./house-csv.js";
import { houseApplianceFigure, houseStackFigure } from "./house-figures.js";
import { DISAGGREGATE_HELP, type DisaggregateOptions, parseDisaggregateOptions } from "./options.js";

/** The --json object. */
export interface DisaggregateResult {
  readonly files: string[];
  readonly appliances: { name: string; states: number; levelsW: number[] }[];
  readonly residual: { states: number; levelsW: number[] };
  /** How much each minute's mains reading counts (given, or chosen on the held-out day). */
  readonly meterWeight: number;
  readonly inference: "exact" | "approx";
  readonly trainRows: number;
  readonly testRows: number;
  readonly metrics?: HouseRun["metrics"];
  readonly timings: HouseRun["timings"];
}

/** The output folder exists or can be made, and is a folder: checked before any work. */
function prepareOut(out: string): void {
  if (existsSync(out) && !statSync(out).isDirectory()) throw new EnvironmentError(`--out ${out}: exists and is not a folder`);
  try {
    mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new EnvironmentError(`--out ${out}: cannot create it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/** Writes through a temporary file and a rename, so an interrupted run never leaves half a file under the final name. */
function writeSafely(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const round1 = (x: number) => Math.round(x * 10) / 10;

function modelJson(o: DisaggregateOptions, data: HouseData, run: HouseRun): unknown {
  const chain = (h: HouseRun["model"]["residual"]) => ({
    states: h.locs.length,
    levelsW: h.locs.map(round1),
    spreadsW: h.scales.map(round1),
    start: h.init,
    transitions: h.trans,
  });
  return {
    model: "factorial HMM: mains = Σ chain levels + Normal noise, each minute's reading counting meterWeight times; each chain a Gaussian HMM (state 0 the lowest level) learned by ppl-hmm fit's EM",
    trainUntil: o.trainUntil,
    trainRows: data.split,
    stepSeconds: data.stepSeconds,
    meterNoiseW: METER_NOISE_W,
    meterWeight: run.model.meterWeight,
    selection: {
      how: run.selection.validationRows === 0
        ? "given: --residual-states and --meter-weight"
        : `the last ${run.selection.validationRows} training rows held out; each candidate learned on the rows before them and scored there; the best TECA + mean F1 chosen`,
      validationRows: run.selection.validationRows,
      candidates: run.selection.candidates.map((c) => ({ ...c, teca: Math.round(c.teca * 1000) / 1000, meanF1: Math.round(c.meanF1 * 1000) / 1000 })),
    },
    appliances: run.model.names.map((name, m) => ({ name, onThresholdW: round1(run.thresholds[m]!), ...chain(run.model.appliances[m]!) })),
    residual: { what: `${o.mains} minus the sub-metered appliances`, ...chain(run.model.residual) },
  };
}

/** Runs the subcommand on its arguments. */
export async function run(argv: string[]): Promise<void> {
  const o = parseDisaggregateOptions(argv);
  if (o.help) {
    process.stdout.write(`${DISAGGREGATE_HELP}\n`);
    return;
  }
  const data = readHouse(readText(userPath(o.data)), o.data, { mains: o.mains, appliances: o.appliances, trainUntil: o.trainUntil });
  // a given --residual-states must fit exact inference; "auto" only tries candidates that fit
  if (o.inference === "exact" && o.residualStates !== "auto") checkExactStates([...o.appliances.map((a) => o.states[a] ?? o.maxStates), o.residualStates]);
  const out = userPath(o.out);
  prepareOut(out);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  log(`ppl-hmm disaggregate: ${data.split} training rows, ${data.mains.length - data.split} test rows, ${o.appliances.length} appliances + the unmetered rest`);
  const r = disaggregateHouse(data, {
    names: o.appliances, states: o.states, maxStates: o.maxStates, residualStates: o.residualStates, meterWeight: o.meterWeight, onThresholds: o.onThresholds, inference: o.inference,
  });
  const files: string[] = [];
  const write = (name: string, text: string) => {
    const p = join(out, name);
    writeSafely(p, text);
    files.push(p);
  };
  const lines = [["timestamp", ...o.appliances].join(",")];
  for (let t = 0; t < r.estimate[0]!.length; t++) lines.push([data.timestamps[data.split + t]!, ...r.estimate.map((e) => String(round1(e[t]!)))].join(","));
  write("disaggregation.csv", `${lines.join("\n")}\n`);
  write("model.json", `${JSON.stringify(modelJson(o, data, r), null, 2)}\n`);
  if (r.metrics !== undefined) write("metrics.json", `${JSON.stringify({ inference: o.inference, ...r.metrics, timings: r.timings }, null, 2)}\n`);
  if (o.figures) {
    const mains = data.mains.subarray(data.split);
    const truth = data.testHasTruth ? data.appliances.map((a) => a.subarray(data.split)) : undefined;
    files.push(...(await writeFigure(houseStackFigure(mains, r.estimate, truth, o.appliances, data.stepSeconds), out, "stack")));
    if (truth !== undefined) files.push(...(await writeFigure(houseApplianceFigure(r.estimate, truth, o.appliances, data.stepSeconds), out, "appliances")));
  }
  const result: DisaggregateResult = {
    files,
    appliances: o.appliances.map((name, m) => ({ name, states: r.model.appliances[m]!.locs.length, levelsW: r.model.appliances[m]!.locs.map(round1) })),
    residual: { states: r.model.residual.locs.length, levelsW: r.model.residual.locs.map(round1) },
    meterWeight: r.model.meterWeight,
    inference: o.inference,
    trainRows: data.split,
    testRows: data.mains.length - data.split,
    ...(r.metrics === undefined ? {} : { metrics: r.metrics }),
    timings: r.timings,
  };
  if (o.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const m = r.metrics;
  if (m !== undefined) {
    for (const a of m.appliances) log(`  ${a.name.padEnd(24)} MAE ${a.maeW.toFixed(1)} W  energy error ${(100 * a.energyError).toFixed(0)} %  F1 ${a.f1.toFixed(3)}`);
    log(`  TECA ${m.teca.toFixed(3)} (all-zero estimate ${m.zeroTeca.toFixed(3)}), mean F1 ${m.meanF1.toFixed(3)}`);
  }
  log(`wrote ${files.join(", ")}`);
}
