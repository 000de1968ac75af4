/**
 * The page: read a CSV (dropped, picked, or a bundled example), fit it in a
 * Web Worker with runInWorker (the main thread only draws), show progress,
 * the loss, the signal over its decoded states and the learnt parameters,
 * and offer states.csv and params.json for download.
 */
import { type WorkerJob, runInWorker } from "ppl-core/worker";
import type { PageFitResult, PageRead } from "./fit-task.js";
import type { pageTask } from "./fit.worker.js";
import { STATE_COLOURS, drawLoss, drawSignal } from "./plots.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLDivElement>("status");
const fitButton = $<HTMLButtonElement>("fit");
const cancelButton = $<HTMLButtonElement>("cancel");
const bar = $<HTMLProgressElement>("progress");
const lossSvg = document.getElementById("loss") as unknown as SVGElement;
const signalSvg = document.getElementById("signal") as unknown as SVGElement;

/** What the page has: the file's text and name, what the worker read from it, and the last fit. */
interface PageState {
  phase: "idle" | "reading" | "ready" | "fitting" | "done" | "error" | "cancelled";
  file?: { text: string; name: string };
  read?: PageRead;
  result?: PageFitResult;
  error?: string;
}
const state: PageState = { phase: "idle" };
// For tests and the curious: the page's state, read-only by convention.
(globalThis as { pplPage?: PageState }).pplPage = state;

let worker: Worker | undefined;
let job: WorkerJob<unknown> | undefined;
const spawn = () => (worker ??= new Worker(new URL("./fit.worker.js", import.meta.url), { type: "module" }));

function say(text: string, error = false): void {
  status.textContent = text;
  status.className = error ? "error" : "";
}

function fail(err: unknown): void {
  state.phase = "error";
  state.error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  say(state.error, true);
  fitButton.disabled = state.file === undefined;
  cancelButton.disabled = true;
}

async function load(text: string, name: string): Promise<void> {
  state.file = { text, name };
  state.result = undefined;
  state.phase = "reading";
  $("results").hidden = true;
  say(`reading ${name}…`);
  try {
    const j = runInWorker<typeof pageTask>(spawn(), { kind: "read", text, name });
    job = j;
    const read = (await j.result) as PageRead;
    state.read = read;
    state.phase = "ready";
    say(`${read.summary} — backend: ${(await j.backend).name}. Press Fit.`);
    $("signalinfo").textContent = `(${read.labels[0]}, ${read.first.length} values)`;
    drawSignal(signalSvg, read.first, undefined);
    fitButton.disabled = false;
  } catch (err) {
    fail(err);
  }
}

function paramsTable(r: PageFitResult): string {
  const p = r.params;
  const head = `<tr><th>state</th><th>mean</th><th>sd</th><th>initial</th>${p.locs.map((_, j) => `<th>→ ${j}</th>`).join("")}</tr>`;
  const rows = p.locs.map((m, k) =>
    `<tr><td><span class="swatch" style="background:${STATE_COLOURS[k % STATE_COLOURS.length]}"></span>${k}</td><td>${m.toPrecision(5)}</td>` +
    `<td>${p.scales[k]!.toPrecision(4)}</td><td>${p.probsInit[k]!.toFixed(3)}</td>${p.probsTrans[k]!.map((q) => `<td>${q.toFixed(3)}</td>`).join("")}</tr>`);
  return `<table id="params-table">${head}${rows.join("")}</table>`;
}

function download(name: string, text: string, type: string): string {
  const url = URL.createObjectURL(new Blob([text], { type }));
  return `<a href="${url}" download="${name}" id="download-${name.replace(".", "-")}">${name}</a>`;
}

async function fit(): Promise<void> {
  if (state.file === undefined) return;
  const states = Number(($<HTMLInputElement>("states")).value);
  const restarts = Number(($<HTMLInputElement>("restarts")).value);
  const seed = Number(($<HTMLInputElement>("seed")).value);
  state.phase = "fitting";
  state.result = undefined;
  fitButton.disabled = true;
  cancelButton.disabled = false;
  $("results").hidden = true;
  const losses: number[][] = [];
  let drawn = false;
  let latest = { restart: 0, step: 0, loss: NaN, maxSteps: 1 };
  const t0 = performance.now();
  say(`fitting K = ${states}…`);
  // Reports arrive every step; the page redraws at most once a frame.
  const redraw = () => {
    drawn = false;
    bar.value = Math.min(1, (latest.restart + (latest.step + 1) / latest.maxSteps) / restarts);
    $("lossinfo").textContent = `— restart ${latest.restart + 1}/${restarts}, step ${latest.step + 1}, loss ${latest.loss.toFixed(4)}`;
    drawLoss(lossSvg, losses);
  };
  try {
    const j = runInWorker<typeof pageTask>(spawn(), { kind: "fit", text: state.file.text, name: state.file.name, states, restarts, seed }, {
      onProgress: (r) => {
        (losses[r.restart] ??= []).push(r.loss);
        latest = r;
        if (!drawn) {
          drawn = true;
          requestAnimationFrame(redraw);
        }
      },
    });
    job = j;
    const result = (await j.result) as PageFitResult;
    state.result = result;
    state.phase = "done";
    bar.value = 1;
    drawLoss(lossSvg, losses);
    drawSignal(signalSvg, result.seqs[0]!, result.paths[0]!);
    $("params").innerHTML = paramsTable(result);
    $("warnings").textContent = result.warnings.map((w) => `warning: ${w}`).join("\n");
    $("downloads").innerHTML = `Download: ${download("states.csv", result.statesCsv, "text/csv")}${download("params.json", result.paramsJson, "application/json")}`;
    $("results").hidden = false;
    say(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s on ${(await j.backend).name}: log-likelihood ${result.logLikelihood.toFixed(2)}, restart ${result.chosenRestart + 1} chosen.`);
    fitButton.disabled = false;
    cancelButton.disabled = true;
  } catch (err) {
    if ((state.phase as PageState["phase"]) === "cancelled") return;
    fail(err);
  }
}

cancelButton.addEventListener("click", () => {
  state.phase = "cancelled";
  job?.cancel();
  worker = undefined; // cancel ended it; the next job starts a fresh one
  say("cancelled.");
  fitButton.disabled = false;
  cancelButton.disabled = true;
});
fitButton.addEventListener("click", () => void fit());
$<HTMLSelectElement>("example").addEventListener("change", async (e) => {
  const path = (e.target as HTMLSelectElement).value;
  if (path === "") return;
  const res = await fetch(path);
  await load(await res.text(), path.split("/").pop()!);
});
$<HTMLInputElement>("file").addEventListener("change", async (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f) await load(await f.text(), f.name);
});
const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", async (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const f = e.dataTransfer?.files[0];
  if (f) await load(await f.text(), f.name);
});
