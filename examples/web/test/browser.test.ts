// The page in a real browser: builds examples/web, serves dist/ on 127.0.0.1,
// drives Debian's Chromium headless (playwright-core; .ci/run installs
// chromium with apt), picks the bundled series and fits it in the page's
// worker. Checks: the decoded states and parameters equal the same fit run
// here in Node with ppl-hmm fit's functions (same seed; float32 round-off),
// and recover the series' true states and levels (series/three-levels.truth.json,
// written by scripts/make-series.ts); the main thread never blocks for more
// than 200 ms during the fit (long-task observer); the two downloads hold
// the same result; and a screenshot is saved to test-output/page.png.
// A missing .wasm file gives one clear warning and the cpu backend.
import { existsSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { type Browser, type Page, chromium } from "playwright-core";
import { defaultOptions, fitSignal, parseSignal } from "ppl-hmm/fit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PageFitResult } from "../src/fit-task.js";
import { buildPage, distDir, here } from "../scripts/build.js";
import { serveFolder } from "../scripts/serve.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`examples/web browser test SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);

// The flags a sandboxed CI machine needs (no GPU, no network beyond loopback, root).
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const SERIES = "three-levels.csv";
const FIT = { states: 3, restarts: 2, seed: 0 };

let browser: Browser | undefined;
let server: Server | undefined;
let url = "";

beforeAll(async () => {
  if (!haveChromium) return;
  await buildPage();
  ({ server, url } = await serveFolder(distDir, 0));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

/** A page that records every long task (a main-thread task over 50 ms) and every console warning. */
async function openPage(path = ""): Promise<{ page: Page; warnings: string[] }> {
  const page = await browser!.newPage({ viewport: { width: 1100, height: 1150 } });
  const warnings: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "warning") warnings.push(m.text());
  });
  await page.addInitScript(() => {
    const w = globalThis as unknown as { longTasks: { start: number; duration: number }[] };
    w.longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: "longtask" as never, buffered: true });
  });
  await page.goto(url + path);
  return { page, warnings };
}

const phase = (page: Page) => page.evaluate(() => (globalThis as unknown as { pplPage: { phase: string; error?: string } }).pplPage);

async function waitPhase(page: Page, want: string, timeout: number): Promise<void> {
  await page.waitForFunction((w) => {
    const p = (globalThis as unknown as { pplPage: { phase: string } }).pplPage.phase;
    return p === w || p === "error";
  }, want, { timeout, polling: 100 });
  const p = await phase(page);
  expect(p.error, "the page reported an error").toBeUndefined();
  expect(p.phase).toBe(want);
}

describe.skipIf(!haveChromium)("examples/web in headless Chromium", () => {
  it("fits the bundled series in the worker: same states and parameters as in Node, near the truth, no main-thread block over 200 ms", async () => {
    const { page, warnings } = await openPage();
    await page.selectOption("#example", `series/${SERIES}`);
    await waitPhase(page, "ready", 60_000);
    for (const [id, v] of Object.entries(FIT)) await page.fill(`#${id}`, String(v));
    const fitStart = await page.evaluate(() => performance.now());
    await page.click("#fit");
    await waitPhase(page, "done", 90_000);
    const fitEnd = await page.evaluate(() => performance.now());
    const longTasks = (await page.evaluate(() => (globalThis as unknown as { longTasks: { start: number; duration: number }[] }).longTasks))
      .filter((t) => t.start + t.duration >= fitStart && t.start <= fitEnd);
    const worst = Math.max(0, ...longTasks.map((t) => t.duration));
    console.log(`browser fit: ${((fitEnd - fitStart) / 1000).toFixed(1)} s; long tasks during it: ${longTasks.length}, worst ${worst.toFixed(0)} ms`);
    expect(worst).toBeLessThanOrEqual(200);
    expect(warnings).toEqual([]);

    const inPage = (await page.evaluate(() => (globalThis as unknown as { pplPage: { result: unknown } }).pplPage.result)) as PageFitResult;
    mkdirSync(join(here, "test-output"), { recursive: true });
    await page.screenshot({ path: join(here, "test-output", "page.png"), fullPage: true });

    // The same fit here, with ppl-hmm fit's functions and the command line's defaults.
    const text = readFileSync(join(here, "series", SERIES), "utf8");
    const defaults = defaultOptions("(test)");
    const sig = parseSignal(SERIES, text, { header: defaults.header, missing: defaults.missing });
    const inNode = fitSignal(sig, { ...defaults, ...FIT, figures: false, json: true }, () => {});
    expect(inPage.paths).toEqual(inNode.paths.map((p) => Array.from(p)));
    const close = (a: number[], b: number[]) => a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(b[i]!))));
    close(inPage.params.locs, inNode.result.params.locs);
    close(inPage.params.scales, inNode.result.params.scales);
    close(inPage.params.probsInit, inNode.result.params.probsInit);
    inPage.params.probsTrans.forEach((row, i) => close(row, inNode.result.params.probsTrans[i]!));
    expect(inPage.chosenRestart).toBe(inNode.result.chosenRestart);

    // The truth the series was drawn from (states sorted by level, as ppl-hmm sorts them).
    const truth = JSON.parse(readFileSync(join(here, "series", "three-levels.truth.json"), "utf8")) as { locs: number[]; scales: number[]; states: number[] };
    const agree = inPage.paths[0]!.filter((z, t) => z === truth.states[t]).length / truth.states.length;
    expect(agree).toBeGreaterThan(0.97);
    inPage.params.locs.forEach((m, k) => expect(Math.abs(m - truth.locs[k]!)).toBeLessThan(0.25));

    // What the page shows and offers: the table, the bands, and the two files.
    expect(await page.locator("#params-table tr").count()).toBe(1 + FIT.states);
    expect(await page.locator("#signal rect[data-state]").count()).toBeGreaterThan(3);
    const download = (id: string) => page.evaluate(async (id) => {
      const doc = (globalThis as unknown as { document: { getElementById(id: string): { href: string } } }).document;
      return (await fetch(doc.getElementById(id).href)).text();
    }, id);
    const statesCsv = await download("download-states-csv");
    expect(statesCsv.split("\n")[0]).toBe("sequence,t,value,state");
    expect(statesCsv.trim().split("\n").slice(1).map((l) => Number(l.split(",")[3]))).toEqual(inPage.paths[0]);
    const paramsJson = JSON.parse(await download("download-params-json")) as { format: string; params: unknown };
    expect(paramsJson.format).toBe("ppl-hmm/params@1");
    expect(paramsJson.params).toEqual(inPage.params);
    await page.close();
  });

  it("without the .wasm files served, ready() warns once, clearly, and the page runs on cpu", async () => {
    renameSync(join(distDir, "wasm"), join(distDir, "wasm-hidden"));
    try {
      const { page, warnings } = await openPage();
      await page.selectOption("#example", `series/${SERIES}`);
      await waitPhase(page, "ready", 60_000);
      expect(await page.textContent("#status")).toContain("backend: cpu");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^ppl: the wasm backend's tfjs-backend-wasm(-simd)?\.wasm is not at http:\/\/127\.0\.0\.1:\d+\/wasm\/tfjs-backend-wasm(-simd)?\.wasm \(HTTP 404\); copy the \.wasm files .* pass ready\(\{ wasmPaths: .*running on the cpu backend/);
      await page.close();
    } finally {
      renameSync(join(distDir, "wasm-hidden"), join(distDir, "wasm"));
    }
  });
});
