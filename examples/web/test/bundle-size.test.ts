// The page's bundle stays lean: esbuild bundles examples/web as scripts/build.ts
// does (minified), and the worker's script must hold no part of the umbrella
// @tensorflow/tfjs ppl does not use (webgl, layers, data, converter) nor
// zod's translated messages, and stay under the sizes docs/browser.md gives:
// 700 KB minified, 200 KB gzip (measured: 642 KiB, 187 KiB);
// the page's own script, which only talks to the worker, under 20 KB.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { bundle, here } from "../scripts/build.js";

describe("examples/web bundle size", () => {
  it("the worker's script has no unused tfjs package and stays under 700 KB minified, 200 KB gzip", async () => {
    const out = join(here, "dist-size");
    const meta = await bundle({ main: join(here, "src", "main.ts"), "fit.worker": join(here, "src", "fit.worker.ts") }, out);
    const worker = Object.entries(meta.outputs).find(([f]) => f.endsWith("fit.worker.js"))!;
    const inputs = Object.keys(worker[1].inputs);
    const unused = inputs.filter((f) => /@tensorflow\/tfjs-(backend-webgl|layers|data|converter)\/|@tensorflow\/tfjs\/|zod\/.*\/locales\/(?!en\.)/.test(f));
    expect(unused).toEqual([]);
    const code = readFileSync(join(out, "fit.worker.js"));
    const gzip = gzipSync(code, { level: 9 }).length;
    console.log(`fit.worker.js: ${(code.length / 1024).toFixed(0)} KiB minified, ${(gzip / 1024).toFixed(0)} KiB gzip`);
    expect(code.length).toBeLessThan(700_000);
    expect(gzip).toBeLessThan(200_000);
    expect(readFileSync(join(out, "main.js")).length).toBeLessThan(20_000);
  });
});
