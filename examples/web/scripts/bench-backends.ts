/**
 * Measures ppl's tfjs backends in headless Chromium: wasm, cpu and webgl
 * (under SwiftShader, Chromium's software GPU: this machine has no GPU, so
 * webgl's figures here are a CPU emulating a GPU, not a GPU). Each backend
 * runs in a fresh worker on two models: Bayesian linear regression at three
 * sizes (ms per SVI step, median) and the page's HMM fit (ms per step of
 * ppl-hmm fit's whole fit). Prints a table and writes test-output/backends.json.
 *
 *   pnpm --filter web bench:backends
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { bundle, here } from "./build.js";
import { serveFolder } from "./serve.js";

const out = join(here, "dist-bench");
await bundle({ bench: join(here, "src", "bench.ts"), "bench.worker": join(here, "src", "bench.worker.ts") }, out);
writeFileSync(join(out, "index.html"), '<!doctype html><meta charset="utf-8"><title>ppl backends</title><script type="module" src="bench.js"></script>\n');
const { server, url } = await serveFolder(out, 0);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  headless: true,
  // SwiftShader gives headless Chromium a WebGL context without a GPU
  args: ["--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
await page.goto(url);
await page.waitForFunction(() => "runBench" in globalThis);
const text = readFileSync(join(here, "series", "three-levels.csv"), "utf8");
const jobs = [
  { kind: "regression", n: 1000, d: 10, steps: 30 },
  { kind: "regression", n: 4096, d: 256, steps: 20 },
  { kind: "regression", n: 8192, d: 1024, steps: 10 },
  { kind: "hmm", text },
] as const;
const rows: Record<string, unknown>[] = [];
for (const job of jobs) {
  const label = job.kind === "hmm" ? "HMM fit, K=3, T=800 (the page)" : `regression N=${job.n}, D=${job.d}`;
  for (const backend of ["wasm", "cpu", "webgl"]) {
    const r = (await page.evaluate(([b, j]) => (globalThis as unknown as { runBench: (b: string, j: unknown) => Promise<unknown> }).runBench(b, j), [backend, job] as const)) as { backend: string; msPerStep?: number; steps?: number; error?: string };
    rows.push({ model: label, requested: backend, ...r });
    console.log(`${label.padEnd(34)} ${backend.padEnd(6)} ${r.error ?? `${r.msPerStep!.toFixed(1)} ms/step (${r.backend}, ${r.steps} steps)`}`);
  }
}
const ua = await page.evaluate(() => navigator.userAgent);
const gl = await page.evaluate(() => {
  const c = document.createElement("canvas").getContext("webgl2");
  const info = c?.getExtension("WEBGL_debug_renderer_info");
  return c && info ? String(c.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "no WebGL2";
});
mkdirSync(join(here, "test-output"), { recursive: true });
writeFileSync(join(here, "test-output", "backends.json"), JSON.stringify({ userAgent: ua, webglRenderer: gl, rows }, null, 2) + "\n");
console.log(`WebGL renderer: ${gl}\n${ua}`);
await browser.close();
server.close();
