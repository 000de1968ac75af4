/**
 * The example's own NILM figure as a Vega-Lite spec (example-kit's
 * writeFigure renders it to SVG and PNG, as it renders the other examples'
 * figures): decoded against true states, which only generated households
 * have. The stacked-power figure is ppl-hmm's (ppl-hmm/figures), the one
 * `ppl-hmm disaggregate` draws.
 */
import type { TopLevelSpec } from "vega-lite";

const WIDTH = 720;
const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Each appliance's decoded states against its true states, one row per appliance. */
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
