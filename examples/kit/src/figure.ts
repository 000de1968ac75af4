/** Rendering a Vega-Lite figure headless (SVG by vega, PNG by resvg: no browser, no canvas), and the figure every example draws. */
import type { TopLevelSpec } from "vega-lite";

/** Rendering is ppl-hmm's (one renderer for the tool and every example). */
export { writeFigure } from "ppl-hmm/figures";

/**
 * The training loss of the best restart against the SVI step (the examples' figure 2), `width` pixels wide.
 *
 * @param losses - one loss (−ELBO) per step, step 0 first
 */
export function lossFigure(losses: readonly number[], width = 640): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Training loss (best restart)",
    width,
    height: 260,
    data: { values: losses.map((loss, step) => ({ step, loss })) },
    mark: { type: "line" },
    encoding: {
      x: { field: "step", type: "quantitative", title: "SVI step" },
      y: { field: "loss", type: "quantitative", title: "loss (−ELBO)", scale: { zero: false } },
    },
  };
}
