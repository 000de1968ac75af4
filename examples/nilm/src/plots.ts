/**
 * The two NILM figures as Vega-Lite specs (example-kit's writeFigure renders
 * them to SVG and PNG, as it renders the other examples' figures).
 */
import type { TopLevelSpec } from "vega-lite";

const WIDTH = 720;
const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/**
 * Figure 1: the mains with the appliances' powers stacked under it, the
 * disaggregated stack (learned level of each decoded state) above the true
 * (sub-metered) stack. Powers [M][T] kW, shown in W.
 */
export function stackFigure(mains: readonly number[], estimate: readonly (readonly number[])[], truth: readonly (readonly number[])[], names: readonly string[]): TopLevelSpec {
  const rows: { t: number; w: number; appliance: string; which: string; order: number }[] = [];
  const add = (p: readonly (readonly number[])[], which: string) =>
    p.forEach((series, m) => series.forEach((kw, t) => rows.push({ t, w: Math.max(0, kw) * 1000, appliance: names[m]!, which, order: m })));
  add(estimate, "disaggregated");
  add(truth, "true (sub-metered)");
  const meter = ["disaggregated", "true (sub-metered)"].flatMap((which) => mains.map((kw, t) => ({ t, w: kw * 1000, which })));
  return {
    $schema: SCHEMA,
    title: "The mains and the appliances' powers stacked under it",
    facet: { row: { field: "which", type: "nominal", title: null, sort: ["disaggregated", "true (sub-metered)"] } },
    data: { values: [...rows, ...meter.map((r) => ({ ...r, appliance: "mains", order: -1 }))] },
    spec: {
      width: WIDTH,
      height: 200,
      layer: [
        {
          transform: [{ filter: "datum.appliance !== 'mains'" }],
          mark: { type: "area", interpolate: "step-after" },
          encoding: {
            x: { field: "t", type: "quantitative", title: "minute", scale: { domain: [0, mains.length] } },
            y: { field: "w", type: "quantitative", stack: "zero", title: "power (W)" },
            color: { field: "appliance", type: "nominal", sort: names as string[], title: "appliance" },
            order: { field: "order", type: "quantitative" },
          },
        },
        {
          transform: [{ filter: "datum.appliance === 'mains'" }],
          mark: { type: "line", color: "black", strokeWidth: 0.6, interpolate: "step-after" },
          encoding: { x: { field: "t", type: "quantitative", scale: { domain: [0, mains.length] } }, y: { field: "w", type: "quantitative" } },
        },
      ],
    },
  };
}

/** Figure 2: each appliance's decoded states against its true states, one row per appliance. */
export function statesFigure(decoded: readonly (readonly number[])[], truth: readonly (readonly number[])[], names: readonly string[], stateNames: readonly (readonly string[])[]): TopLevelSpec {
  const rows: { t: number; state: number; label: string; appliance: string; which: string }[] = [];
  const add = (zs: readonly (readonly number[])[], which: string) =>
    zs.forEach((z, m) => z.forEach((k, t) => rows.push({ t, state: k, label: stateNames[m]![k]!, appliance: names[m]!, which })));
  add(truth, "true");
  add(decoded, "decoded");
  return {
    $schema: SCHEMA,
    title: "Each appliance's decoded vs true states (0 = off)",
    data: { values: rows },
    facet: { row: { field: "appliance", type: "nominal", title: null, sort: names as string[] } },
    spec: {
      width: WIDTH,
      height: 60,
      mark: { type: "line", interpolate: "step-after", strokeWidth: 1 },
      encoding: {
        x: { field: "t", type: "quantitative", title: "minute", scale: { domain: [0, truth[0]?.length ?? 0] } },
        y: { field: "state", type: "quantitative", title: "state", scale: { domain: [0, 2] }, axis: { values: [0, 1, 2] } },
        color: { field: "which", type: "nominal", title: "", scale: { domain: ["true", "decoded"], range: ["#999", "#d62728"] } },
        strokeDash: { field: "which", type: "nominal", scale: { domain: ["true", "decoded"], range: [[1, 0], [4, 2]] }, legend: null },
      },
    },
  };
}
