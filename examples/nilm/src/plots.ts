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
  const minutes = truth[0]?.length ?? 0;
  // one legend for both channels: Vega-Lite merges colour and dash legends of the same field and title
  const which = { field: "which", type: "nominal" as const, title: "states" };
  return {
    $schema: SCHEMA,
    title: {
      text: "Each appliance's decoded vs true states",
      subtitle: `minutes 0–${minutes} of the day; each row's states are that appliance's own (its catalogue entry)`,
    },
    data: { values: rows },
    facet: { row: { field: "appliance", type: "nominal", title: null, sort: names as string[] } },
    // each appliance has its own states: its own y axis, named
    resolve: { scale: { y: "independent" } },
    spec: {
      width: WIDTH,
      height: 60,
      mark: { type: "line", interpolate: "step-after", strokeWidth: 1.5 },
      encoding: {
        x: { field: "t", type: "quantitative", title: "minute", scale: { domain: [0, minutes] } },
        y: { field: "label", type: "ordinal", title: "state", sort: { field: "state", order: "descending" } },
        color: { ...which, scale: { domain: ["true", "decoded"], range: ["#999", "#d62728"] }, legend: { orient: "top", symbolStrokeWidth: 2 } },
        strokeDash: { ...which, scale: { domain: ["true", "decoded"], range: [[1, 0], [4, 2]] } },
        order: { field: "t", type: "quantitative" },
      },
    },
  };
}
