/** The optimiser's trace as a figure a user reads: the distance to the best value, on a log scale. */
import type { TopLevelSpec } from "vega-lite";

/**
 * `values[i]` (a loss to minimise) per iteration, drawn as `value − best`
 * on a log scale, so the first steps' large values do not flatten the end
 * of the run (a linear axis shows one drop and a flat line). Steps at the
 * best value are drawn at a floor of 1e-9 × max(1, |best|).
 */
export function lossFigure(values: readonly number[], what: { title: string; x: string; y: string }, width = 640): TopLevelSpec {
  const best = Math.min(...values);
  const floor = 1e-9 * Math.max(1, Math.abs(best));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: what.title,
    width,
    height: 260,
    data: { values: values.map((v, i) => ({ i: i + 1, gap: Math.max(v - best, floor) })) },
    mark: { type: "line", point: values.length <= 60 },
    encoding: {
      x: { field: "i", type: "quantitative", title: what.x },
      y: { field: "gap", type: "quantitative", title: `${what.y} − its best (${best.toPrecision(8)}), log scale`, scale: { type: "log" } },
    },
  };
}
