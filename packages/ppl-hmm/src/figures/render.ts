/** Rendering a Vega-Lite figure headless: SVG by vega, PNG by resvg (no browser, no canvas). */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";

/**
 * Renders `spec` to `<dir>/<name>.svg` and `<dir>/<name>.png` (twice the SVG's size, on white);
 * creating `dir` if needed; returns the two paths, SVG first.
 *
 * @example
 * const files = await writeFigure({ mark: "point", data: { values: [{ x: 1 }] }, encoding: { x: { field: "x", type: "quantitative" } } }, "out", "1-points");
 */
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
