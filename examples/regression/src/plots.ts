/**
 * The posterior predictive band over the data, as a Vega-Lite spec rendered
 * headless to SVG by vega and to PNG by resvg (as examples/hmm-gaussian does).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
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

/** Render `spec` to `<dir>/<name>.svg` and `.png`; returns the two paths. */
export async function writeFigure(spec: TopLevelSpec, dir: string, name: string): Promise<string[]> {
  mkdirSync(dir, { recursive: true });
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  const svgPath = join(dir, `${name}.svg`);
  const pngPath = join(dir, `${name}.png`);
  writeFileSync(svgPath, svg);
  const png = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  }).render().asPng();
  writeFileSync(pngPath, png);
  return [svgPath, pngPath];
}
