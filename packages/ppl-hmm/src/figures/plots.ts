/**
 * The tutorial's figures as Vega-Lite specs (rendered headless to SVG and
 * PNG by example-kit's writeFigure).
 */
import type { TopLevelSpec } from "vega-lite";
import type { PlainParams } from "../params.js";

const WIDTH = 640;

function stateName(names: readonly string[] | undefined, k: number): string {
  return names?.[k] ?? `state ${k}`;
}

/** Colour by state, with the legend in state order (low, mid, high) rather than alphabetical. */
function stateColor(K: number, names: readonly string[] | undefined, title = "state") {
  return {
    field: "state",
    type: "nominal" as const,
    title,
    scale: { domain: Array.from({ length: K }, (_, k) => stateName(names, k)) },
  };
}

/** Figure 1: one sequence over time coloured by hidden state, with per-state histograms. */
export function sequenceFigure(y: readonly number[], z: readonly number[], K: number, names?: readonly string[], title = "A training sequence and its hidden states"): TopLevelSpec {
  const values = y.map((v, t) => ({ t, y: v, state: stateName(names, z[t]!) }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title,
    data: { values },
    hconcat: [
      {
        width: WIDTH,
        height: 220,
        layer: [
          { mark: { type: "line", color: "#999", strokeWidth: 1 }, encoding: { x: { field: "t", type: "quantitative", title: "time step" }, y: { field: "y", type: "quantitative", title: "observation" } } },
          { mark: { type: "point", filled: true, size: 30 }, encoding: { x: { field: "t", type: "quantitative" }, y: { field: "y", type: "quantitative" }, color: stateColor(K, names, "hidden state") } },
        ],
      },
      {
        width: 180,
        height: 220,
        mark: { type: "bar", opacity: 0.7 },
        encoding: {
          y: { field: "y", type: "quantitative", bin: { maxbins: 30 }, title: "observation" },
          x: { aggregate: "count", type: "quantitative", title: "count", stack: null },
          color: stateColor(K, names, "hidden state"),
        },
      },
    ],
  };
}

function normalPdf(x: number, m: number, s: number): number {
  return Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
}

/** Figure 3: emission densities, true against learned. */
export function densityFigure(learned: PlainParams, truth: PlainParams | undefined, names?: readonly string[]): TopLevelSpec {
  const all = [...learned.locs.map((m, k) => [m, learned.scales[k]!] as const), ...(truth ? truth.locs.map((m, k) => [m, truth.scales[k]!] as const) : [])];
  const lo = Math.min(...all.map(([m, s]) => m - 4 * s));
  const hi = Math.max(...all.map(([m, s]) => m + 4 * s));
  const values: { x: number; density: number; state: string; which: string }[] = [];
  const add = (p: PlainParams, which: string) => {
    p.locs.forEach((m, k) => {
      for (let i = 0; i <= 300; i++) {
        const x = lo + ((hi - lo) * i) / 300;
        values.push({ x, density: normalPdf(x, m, p.scales[k]!), state: stateName(names, k), which });
      }
    });
  };
  add(learned, "learned");
  if (truth) add(truth, "true");
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: truth ? "Emission densities: true vs learned" : "Emission densities (learned)",
    width: WIDTH,
    height: 260,
    data: { values },
    mark: { type: "line" },
    encoding: {
      x: { field: "x", type: "quantitative", title: "observation" },
      y: { field: "density", type: "quantitative" },
      color: stateColor(learned.locs.length, names),
      strokeDash: { field: "which", type: "nominal", title: "" },
      detail: { field: "which" },
    },
  };
}

/** Figure 4: the test sequence segmented, true states against decoded ones. */
export function segmentationFigure(
  y: readonly number[],
  decoded: readonly number[],
  truth: readonly number[] | undefined,
  K: number,
  names?: readonly string[],
): TopLevelSpec {
  const rows: { t: number; y: number; state: string; which: string }[] = [];
  decoded.forEach((z, t) => rows.push({ t, y: y[t]!, state: stateName(names, z), which: "decoded (Viterbi)" }));
  truth?.forEach((z, t) => rows.push({ t, y: y[t]!, state: stateName(names, z), which: "true" }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: truth ? "Segmentation: true vs decoded states" : "Segmentation: decoded states",
    data: { values: rows },
    facet: { row: { field: "which", type: "nominal", title: null } },
    spec: {
      width: WIDTH,
      height: 150,
      layer: [
        { mark: { type: "line", color: "#bbb", strokeWidth: 1 }, encoding: { x: { field: "t", type: "quantitative", title: "time step" }, y: { field: "y", type: "quantitative", title: "observation" } } },
        { mark: { type: "point", filled: true, size: 24 }, encoding: { x: { field: "t", type: "quantitative" }, y: { field: "y", type: "quantitative" }, color: stateColor(K, names) } },
      ],
    },
  };
}

/**
 * Figure 5, for a long sequence: the signal downsampled to at most `bins`
 * columns (each column's min–max as a band and its mean as a line) above
 * each column's share of decoded states (stacked, so a state that holds a
 * few steps of every column still shows, where a majority colour would hide it).
 */
export function overviewFigure(y: readonly number[], z: readonly number[], K: number, label: string, bins = 800): TopLevelSpec {
  const T = y.length;
  const width = Math.max(1, Math.ceil(T / bins));
  const cols: { t0: number; t1: number; lo: number; hi: number; mean: number }[] = [];
  const shares: { t0: number; t1: number; s0: number; s1: number; state: string }[] = [];
  for (let a = 0; a < T; a += width) {
    const b = Math.min(T, a + width);
    let lo = Infinity;
    let hi = -Infinity;
    let sum = 0;
    const counts = new Array<number>(K).fill(0);
    for (let t = a; t < b; t++) {
      lo = Math.min(lo, y[t]!);
      hi = Math.max(hi, y[t]!);
      sum += y[t]!;
      counts[z[t]!]! += 1;
    }
    cols.push({ t0: a, t1: b, lo, hi, mean: sum / (b - a) });
    let acc = 0;
    counts.forEach((c, k) => {
      if (c === 0) return;
      shares.push({ t0: a, t1: b, s0: acc / (b - a), s1: (acc + c) / (b - a), state: stateName(undefined, k) });
      acc += c;
    });
  }
  const x = { field: "t0", type: "quantitative" as const, title: "time step" };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `Overview of ${label}: ${T} steps in ${cols.length} columns of ${width}`,
    vconcat: [
      {
        width: 900,
        height: 220,
        data: { values: cols },
        layer: [
          { mark: { type: "area", color: "#666", opacity: 0.35 }, encoding: { x: { ...x, title: null }, y: { field: "lo", type: "quantitative", title: "observation (min–max, mean)", scale: { zero: false } }, y2: { field: "hi" } } },
          { mark: { type: "line", color: "#222", strokeWidth: 0.8 }, encoding: { x: { ...x, title: null }, y: { field: "mean", type: "quantitative" } } },
        ],
      },
      {
        width: 900,
        height: 90,
        data: { values: shares },
        mark: { type: "rect" },
        encoding: {
          x,
          x2: { field: "t1" },
          y: { field: "s0", type: "quantitative", title: "share of states", scale: { domain: [0, 1] } },
          y2: { field: "s1" },
          color: stateColor(K, undefined),
        },
      },
    ],
  };
}
