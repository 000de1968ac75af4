/**
 * The posterior predictive band over the data, as a Vega-Lite spec (rendered
 * headless to SVG and PNG by example-kit's writeFigure).
 */
import type { TopLevelSpec } from "vega-lite";
import type { BandPoint } from "./fit.js";

/** The data as points, the 90% posterior predictive band and its median line. */
export function bandFigure(xs: readonly number[], ys: readonly number[], band: readonly BandPoint[]): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Bayesian linear regression: data and the 90% posterior predictive band",
    width: 640,
    height: 360,
    layer: [
      {
        data: { values: band.map((b) => ({ ...b })) },
        mark: { type: "area", opacity: 0.25, color: "#4c78a8" },
        encoding: {
          x: { field: "x", type: "quantitative", title: "x" },
          y: { field: "lo", type: "quantitative", title: "y" },
          y2: { field: "hi" },
        },
      },
      {
        data: { values: band.map((b) => ({ ...b })) },
        mark: { type: "line", color: "#4c78a8" },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "median", type: "quantitative" } },
      },
      {
        data: { values: xs.map((x, i) => ({ x, y: ys[i]! })) },
        mark: { type: "point", filled: true, color: "#333", size: 25 },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
      },
    ],
  };
}
