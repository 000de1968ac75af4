/**
 * The disaggregation's figures as Vega-Lite specs: the mains with the
 * appliances' estimated powers stacked under it (above the true stack when
 * the sub-meters are known), and each appliance's estimate against its truth.
 * examples/nilm draws its generated households with the same stack figure.
 */
import type { TopLevelSpec } from "vega-lite";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";
const WIDTH = 900;

/** Hours since the first test row, for the x axis. */
const hours = (t: number, stepSeconds: number) => (t * stepSeconds) / 3600;

/** Figure 1: the mains (black) over the stacked estimates, and the true stack under it when known. */
export function houseStackFigure(mains: ArrayLike<number>, estimate: readonly ArrayLike<number>[], truth: readonly ArrayLike<number>[] | undefined, names: readonly string[], stepSeconds: number): TopLevelSpec {
  const panels: [string, readonly ArrayLike<number>[]][] = [["estimated", estimate], ...(truth === undefined ? [] : [["true (sub-metered)", truth] as [string, readonly ArrayLike<number>[]]])];
  const rows: Record<string, number | string>[] = [];
  for (const [which, series] of panels) {
    // a learned "off" level a watt below 0 would dent the stack: areas from 0 up
    series.forEach((s, m) => Array.from(s).forEach((w, t) => rows.push({ h: hours(t, stepSeconds), w: Math.max(0, w), appliance: names[m]!, which, order: m })));
    Array.from(mains).forEach((w, t) => rows.push({ h: hours(t, stepSeconds), w, appliance: "mains", which, order: -1 }));
  }
  return {
    $schema: SCHEMA,
    title: "The mains and the appliances' powers stacked under it",
    data: { values: rows },
    facet: { row: { field: "which", type: "nominal", title: null, sort: panels.map((p) => p[0]) } },
    spec: {
      width: WIDTH,
      height: 220,
      layer: [
        {
          transform: [{ filter: "datum.appliance !== 'mains'" }],
          mark: { type: "area", interpolate: "step-after" },
          encoding: {
            x: { field: "h", type: "quantitative", title: "hours from the first decoded row" },
            y: { field: "w", type: "quantitative", stack: "zero", title: "power (W)" },
            color: { field: "appliance", type: "nominal", sort: [...names], title: "appliance" },
            order: { field: "order", type: "quantitative" },
          },
        },
        {
          transform: [{ filter: "datum.appliance === 'mains'" }],
          mark: { type: "line", color: "black", strokeWidth: 0.5, interpolate: "step-after" },
          encoding: { x: { field: "h", type: "quantitative" }, y: { field: "w", type: "quantitative" } },
        },
      ],
    },
  };
}

/** Figure 2: each appliance's estimate (red) against its sub-meter (grey), one row each. */
export function houseApplianceFigure(estimate: readonly ArrayLike<number>[], truth: readonly ArrayLike<number>[], names: readonly string[], stepSeconds: number): TopLevelSpec {
  const rows: Record<string, number | string>[] = [];
  names.forEach((name, m) => {
    Array.from(truth[m]!).forEach((w, t) => rows.push({ h: hours(t, stepSeconds), w, appliance: name, which: "true" }));
    Array.from(estimate[m]!).forEach((w, t) => rows.push({ h: hours(t, stepSeconds), w, appliance: name, which: "estimated" }));
  });
  return {
    $schema: SCHEMA,
    title: "Each appliance's estimated power against its sub-meter",
    data: { values: rows },
    facet: { row: { field: "appliance", type: "nominal", title: null, sort: [...names] } },
    resolve: { scale: { y: "independent" } },
    spec: {
      width: WIDTH,
      height: 90,
      mark: { type: "line", interpolate: "step-after", strokeWidth: 0.8 },
      encoding: {
        x: { field: "h", type: "quantitative", title: "hours from the first decoded row" },
        y: { field: "w", type: "quantitative", title: "W" },
        color: { field: "which", type: "nominal", title: "", scale: { domain: ["true", "estimated"], range: ["#999", "#d62728"] } },
      },
    },
  };
}
