/**
 * The posterior predictive band over the data, as a Vega-Lite spec (rendered
 * headless to SVG and PNG by example-kit's writeFigure).
 */
import type { TopLevelSpec } from "vega-lite";
import { TRUTH } from "./data.js";
import type { BandPoint } from "./fit.js";

const BAND = "90% posterior predictive band (5%–95%)";
const MEDIAN = "posterior predictive median";
const DATA = `data (synthetic: y = ${TRUTH.intercept} + ${TRUTH.slope}·x + noise of sd ${TRUTH.sigma})`;

/** One legend for the three layers: each layer names itself with a constant `datum` on a shared colour scale. */
const colour = (name: string) => ({
  datum: name,
  type: "nominal" as const,
  scale: { domain: [BAND, MEDIAN, DATA], range: ["#9ecae1", "#08519c", "#333333"] },
  legend: { title: null, orient: "top-left" as const, labelLimit: 420, fillColor: "white" },
});

/**
 * The data as points, the 90% posterior predictive band and its median line, with a legend.
 * @param fit how the band was made (for the title): the SVI steps
 */
export function bandFigure(xs: readonly number[], ys: readonly number[], band: readonly BandPoint[], fit: { steps?: number } = {}): TopLevelSpec {
  const how = fit.steps === undefined ? "AutoMultivariateNormal" : `AutoMultivariateNormal, ${fit.steps} SVI steps`;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: {
      text: `Bayesian linear regression: ${xs.length} points and the 90% posterior predictive band`,
      subtitle: [`${how}; noise sd ${TRUTH.sigma} known to the model`, "the band is where a new y falls: the line's uncertainty plus the noise"],
    },
    width: 640,
    height: 360,
    layer: [
      {
        data: { values: band.map((b) => ({ ...b })) },
        mark: { type: "area", opacity: 0.6 },
        encoding: {
          x: { field: "x", type: "quantitative", title: "x (unitless)" },
          y: { field: "lo", type: "quantitative", title: "y (unitless)" },
          y2: { field: "hi" },
          color: colour(BAND),
        },
      },
      {
        data: { values: band.map((b) => ({ ...b })) },
        mark: { type: "line", strokeWidth: 2 },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "median", type: "quantitative" }, color: colour(MEDIAN) },
      },
      {
        data: { values: xs.map((x, i) => ({ x, y: ys[i]! })) },
        mark: { type: "point", filled: true, size: 25, opacity: 1 },
        encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" }, color: colour(DATA) },
      },
    ],
  };
}
