/**
 * The four figures of the Gaussian example, for symbols: Vega-Lite specs
 * rendered headless to SVG and PNG by example-kit's writeFigure.
 */
import type { TopLevelSpec } from "vega-lite";
import { SYMBOLS, type PlainParams } from "./truth.js";

const WIDTH = 640;
const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** One colour per state, the same in every figure (Vega's category10 in state order). */
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd"];

/**
 * Colour by state name, the legend in state order (rainy, sunny) rather than alphabetical, its
 * symbols drawn with the marks' own opacity so the legend shows the colours the marks use.
 */
function stateColor(names: readonly string[], title = "hidden state", opacity = 1) {
  return {
    field: "state",
    type: "nominal" as const,
    title,
    scale: { domain: [...names], range: PALETTE.slice(0, names.length) },
    legend: { symbolType: "square", symbolOpacity: opacity },
  };
}

const symbolAxis = { field: "symbol", type: "nominal" as const, title: "observation", scale: { domain: [...SYMBOLS] }, sort: [...SYMBOLS] };

/**
 * Figure 1: the first `window` steps of a training sequence, its symbols as
 * points over bands coloured by the hidden state, with the symbol counts per state.
 */
export function sequenceFigure(y: readonly number[], z: readonly number[], names: readonly string[], window = 100): TopLevelSpec {
  const steps = y.slice(0, window).map((v, t) => ({ t, t1: t + 1, symbol: SYMBOLS[v]!, state: names[z[t]!]! }));
  const all = y.map((v, t) => ({ symbol: SYMBOLS[v]!, state: names[z[t]!]! }));
  return {
    $schema: SCHEMA,
    title: { text: `A training sequence and its hidden states`, subtitle: `left: days 1–${Math.min(window, y.length)} of ${y.length}; right: every day` },
    hconcat: [
      {
        width: WIDTH,
        height: 160,
        data: { values: steps },
        layer: [
          { mark: { type: "rect", opacity: 0.35 }, encoding: { x: { field: "t", type: "quantitative", title: "day" }, x2: { field: "t1" }, color: stateColor(names, "hidden state (bands)", 0.35) } },
          { mark: { type: "point", filled: true, size: 40, color: "#333" }, encoding: { x: { field: "t", type: "quantitative" }, y: symbolAxis } },
        ],
      },
      {
        width: 160,
        height: 160,
        title: "whole sequence",
        data: { values: all },
        mark: { type: "bar" },
        encoding: {
          y: symbolAxis,
          x: { aggregate: "count", type: "quantitative", title: "count" },
          color: stateColor(names, "hidden state (bars)"),
        },
      },
    ],
    resolve: { scale: { color: "independent" } },
  };
}

/** Figure 3: each state's emission probabilities, learned next to true, one panel per state. */
export function emissionFigure(learned: PlainParams, truth: PlainParams, names: readonly string[]): TopLevelSpec {
  const rows: { state: string; symbol: string; p: number; which: string }[] = [];
  const add = (p: PlainParams, which: string) =>
    p.probsEmit.forEach((row, k) => row.forEach((q, v) => rows.push({ state: names[k]!, symbol: SYMBOLS[v]!, p: q, which })));
  add(truth, "true");
  add(learned, "learned");
  return {
    $schema: SCHEMA,
    title: "Emission probabilities: true vs learned",
    data: { values: rows },
    facet: { column: { field: "state", type: "nominal", title: null, sort: [...names] } },
    spec: {
      width: Math.floor(WIDTH / names.length) - 20,
      height: 220,
      mark: { type: "bar" },
      encoding: {
        x: { ...symbolAxis, title: null, axis: { labelAngle: 0 } },
        xOffset: { field: "which", type: "nominal", sort: ["true", "learned"] },
        y: { field: "p", type: "quantitative", title: "P(observation | state)", scale: { domain: [0, 1] } },
        color: { field: "which", type: "nominal", title: "", sort: ["true", "learned"], scale: { range: ["#9ecae1", "#3182bd"] } },
      },
    },
  };
}

/**
 * Figure 4: the first `window` days of the held-out sequence, true states against the
 * decoded ones, as runs of equal states (the title says how many days are shown of how many).
 */
export function decodeFigure(
  rows: readonly { label: string; states: readonly number[] }[],
  names: readonly string[],
  window = 200,
): TopLevelSpec {
  const values = rows.flatMap((r) => runs(r.states.slice(0, window)).map((run) => ({ ...run, which: r.label, state: names[run.z]! })));
  const total = Math.max(...rows.map((r) => r.states.length));
  const shown = Math.min(window, total);
  return {
    $schema: SCHEMA,
    title: {
      text: "Held-out sequence: true vs decoded (Viterbi) states",
      subtitle: shown < total ? `days 1–${shown} of ${total} shown; the accuracy is over all ${total}` : `all ${total} days`,
    },
    width: WIDTH,
    height: 30 * rows.length,
    data: { values },
    mark: { type: "rect" },
    encoding: {
      x: { field: "t", type: "quantitative", title: "day", scale: { domain: [0, shown] } },
      x2: { field: "t1" },
      y: { field: "which", type: "nominal", title: null, sort: rows.map((r) => r.label) },
      color: stateColor(names),
    },
  };
}

/** Consecutive equal states as one span each: [t, t1) with state z. */
function runs(states: readonly number[]): { t: number; t1: number; z: number }[] {
  const out: { t: number; t1: number; z: number }[] = [];
  states.forEach((z, t) => {
    const last = out[out.length - 1];
    if (last !== undefined && last.z === z) last.t1 = t + 1;
    else out.push({ t, t1: t + 1, z });
  });
  return out;
}
