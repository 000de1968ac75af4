/**
 * `ppl-hmm disaggregate`'s command line, parsed strictly: every refusal
 * names the option and what it accepts, before any file is read.
 */
import { parseArgs } from "node:util";
import { OptionError } from "../errors.js";
import { type Choice, METER_WEIGHT_CANDIDATES, RESIDUAL_STATES_CANDIDATES } from "./select-model.js";

/** The parsed command line. */
export interface DisaggregateOptions {
  readonly data: string;
  readonly mains: string;
  readonly appliances: string[];
  readonly trainUntil: string;
  readonly out: string;
  readonly states: Record<string, number>;
  readonly maxStates: number;
  readonly residualStates: Choice;
  readonly meterWeight: Choice;
  readonly onThresholds: Record<string, number>;
  readonly inference: "exact" | "approx";
  readonly json: boolean;
  readonly figures: boolean;
  readonly help: boolean;
}

/** `--help`'s text: every option. */
export const DISAGGREGATE_HELP = [
  "usage: ppl-hmm disaggregate DATA.csv --appliances A,B,... --train-until TIME [options]",
  "",
  "Learns one Gaussian HMM per sub-metered appliance (and one for the unmetered rest, mains minus",
  "the sub-meters) from the rows before --train-until with ppl-hmm fit's EM, then splits the mains of",
  "the later rows into the appliances with the factorial HMM (exact posterior over every combination",
  "of states). What is 'auto' is chosen on the last day of the training rows, held out: each",
  "candidate learns on the rows before it and disaggregates it; the best TECA + mean F1 wins.",
  "",
  "DATA.csv: a `timestamp` column (ISO 8601 with offset, evenly spaced, no gaps), the mains column",
  "and one column per appliance (watts). From --train-until on only timestamp and mains are read;",
  "when those rows also have the appliance columns, metrics.json scores the result.",
  "",
  "options:",
  "  --appliances A,B,...       the appliance columns to learn and disaggregate (required)",
  "  --train-until TIME         first test time, ISO 8601 with offset (required), inside the data",
  "  --mains NAME               the whole-house column (default mains)",
  "  --out DIR                  output folder (default out/disaggregate): disaggregation.csv, model.json,",
  "                             metrics.json, stack.png/.svg, appliances.png/.svg",
  "  --states A=K,...           fixed number of states for an appliance (2-8); others chosen by BIC",
  "  --max-states K             the most states BIC may choose for an appliance (2-6, default 3)",
  "  --residual-states K|auto   states of the unmetered rest's chain (1-16; default auto: one of",
  `                             ${RESIDUAL_STATES_CANDIDATES.join(", ")}, chosen on the held-out day)`,
  "  --meter-weight W|auto      how much each minute's mains reading counts, 0 < W ≤ 1: mains minus",
  "                             the chains' levels drifts from minute to minute instead of being",
  "                             independent noise, so full weight over-trusts each mismatch",
  `                             (default auto: one of ${METER_WEIGHT_CANDIDATES.join(", ")}, chosen on the held-out day)`,
  "  --on-threshold A=W,...     watts above which an appliance counts as on, for the F1 scores",
  "                             (default: 10% of its highest learned level, at least 10 W)",
  "  --inference exact|approx   exact: each appliance's most probable state at every minute, by",
  "                             forward–backward over the product state (ppl's factorial kernel,",
  "                             T·Σ K_m·Π K_m work; default); approx: a beam search over the joint",
  "                             state, then one chain's Viterbi at a time given the others,",
  "                             linear in the number of chains",
  "  --no-figures               skip the figures",
  "  --json                     print one JSON result object on stdout",
  "  --help                     this text",
].join("\n");

function intIn(name: string, text: string, lo: number, hi: number): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < lo || v > hi) throw new OptionError(`${name} '${text}': expected a whole number from ${lo} to ${hi}`);
  return v;
}

/** "auto" (also when the option is absent) or the value `parse` reads. */
const auto = (text: string | undefined, parse: (x: string) => number): Choice => (text === undefined || text === "auto" ? "auto" : parse(text));

/** `A=x,B=y` as a map, each value checked by `value`; names must be among `appliances`. */
function assignments(name: string, text: string | undefined, appliances: readonly string[], value: (key: string, v: string) => number): Record<string, number> {
  const out: Record<string, number> = {};
  if (text === undefined) return out;
  for (const part of text.split(",")) {
    const [k, v, extra] = part.split("=");
    if (k === undefined || v === undefined || extra !== undefined || k.trim() === "") throw new OptionError(`${name} '${text}': expected NAME=VALUE pairs separated by commas`);
    if (!appliances.includes(k.trim())) throw new OptionError(`${name}: '${k.trim()}' is not one of --appliances (${appliances.join(", ")})`);
    out[k.trim()] = value(k.trim(), v.trim());
  }
  return out;
}

/** Parses the arguments after `disaggregate`. */
export function parseDisaggregateOptions(argv: readonly string[]): DisaggregateOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        mains: { type: "string" },
        appliances: { type: "string" },
        "train-until": { type: "string" },
        out: { type: "string" },
        states: { type: "string" },
        "max-states": { type: "string" },
        "residual-states": { type: "string" },
        "meter-weight": { type: "string" },
        "on-threshold": { type: "string" },
        inference: { type: "string" },
        "no-figures": { type: "boolean" },
        json: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    throw new OptionError(`${(err as Error).message} (ppl-hmm disaggregate --help lists the options)`);
  }
  const v = parsed.values;
  const base = { json: v.json === true, figures: v["no-figures"] !== true };
  if (v.help === true) {
    return { ...base, data: "", mains: "", appliances: [], trainUntil: "", out: "", states: {}, maxStates: 3, residualStates: "auto", meterWeight: "auto", onThresholds: {}, inference: "exact", help: true };
  }
  if (parsed.positionals.length !== 1) {
    throw new OptionError(`expected one DATA.csv, got ${parsed.positionals.length === 0 ? "none" : parsed.positionals.join(" ")} (ppl-hmm disaggregate --help)`);
  }
  if (v.appliances === undefined) throw new OptionError("--appliances is required: the sub-metered columns to disaggregate, e.g. --appliances fridge,heat_pump");
  const appliances = v.appliances.split(",").map((a) => a.trim());
  if (appliances.some((a) => a === "")) throw new OptionError(`--appliances '${v.appliances}': an empty name`);
  if (new Set(appliances).size !== appliances.length) throw new OptionError(`--appliances '${v.appliances}': a name appears twice`);
  if (v["train-until"] === undefined) throw new OptionError("--train-until is required: the first test time, e.g. --train-until 2013-11-25T00:00:00-08:00");
  const inference = v.inference ?? "exact";
  if (inference !== "exact" && inference !== "approx") throw new OptionError(`--inference '${inference}': expected exact or approx`);
  const mains = v.mains ?? "mains";
  if (appliances.includes(mains)) throw new OptionError(`--appliances names the mains column '${mains}'`);
  return {
    ...base,
    help: false,
    data: parsed.positionals[0]!,
    mains,
    appliances,
    trainUntil: v["train-until"],
    out: v.out ?? "out/disaggregate",
    states: assignments("--states", v.states, appliances, (k, x) => intIn(`--states ${k}`, x, 2, 8)),
    maxStates: v["max-states"] === undefined ? 3 : intIn("--max-states", v["max-states"], 2, 6),
    residualStates: auto(v["residual-states"], (x) => intIn("--residual-states", x, 1, 16)),
    meterWeight: auto(v["meter-weight"], (x) => {
      const w = Number(x);
      if (x.trim() === "" || !Number.isFinite(w) || w <= 0 || w > 1) throw new OptionError(`--meter-weight '${x}': expected auto or a number W with 0 < W ≤ 1`);
      return w;
    }),
    onThresholds: assignments("--on-threshold", v["on-threshold"], appliances, (k, x) => {
      const w = Number(x);
      if (x === "" || !Number.isFinite(w) || w < 0) throw new OptionError(`--on-threshold ${k} '${x}': expected watts, a number ≥ 0`);
      return w;
    }),
    inference,
  };
}
