/**
 * ppl-hmm as a user runs it (issue 26): the installed bin in a child
 * process, wall time from spawn to exit (start-up, reading, fit, decoding,
 * files and figures), at its defaults (4 restarts), beside hmmlearn 0.3.3's
 * process wall on the same series (measured on this machine, issue 26).
 * Peak RSS is the tool's own report (params.json `peakRssMiB`).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { generate } from "hmm-gaussian/truth";

const here = dirname(fileURLToPath(import.meta.url));
const BIN = join(here, "..", "..", "packages", "ppl-hmm", "bin", "ppl-hmm.js");
const SEATTLE = join(here, "..", "..", "packages", "ppl-hmm", "node_modules", "vega-datasets", "data", "seattle-weather.csv");

/** Three levels far from zero, long dwell times. */
const TRUE = { probsInit: [0.5, 0.3, 0.2], probsTrans: [[0.98, 0.015, 0.005], [0.01, 0.98, 0.01], [0.005, 0.015, 0.98]], locs: [100, 104, 110], scales: [1, 1.5, 2] };

/** One bench row (bench/run.ts records it). */
export interface PplHmmRow {
  name: string;
  config: Record<string, number | string | boolean>;
  unit: "s" | "MiB";
  median: number;
  min: number;
  max: number;
  n: number;
  /** upper bound in `unit` */
  targetValue?: number;
  hmmlearnValue?: number;
  note?: string;
}

interface Run {
  wall: number;
  result?: { logLikelihood: number; peakRssMiB: number; seconds: { fit: number; decode: number; figures: number }; restarts: { converged: boolean; sameStartAs?: number }[] };
}

function runBin(args: string[]): Run {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", maxBuffer: 256 << 20 });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`ppl-hmm ${args.join(" ")} failed (${r.status}): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
  const last = r.stdout.trim().split("\n").pop() ?? "";
  return { wall, ...(last.startsWith("{") ? { result: JSON.parse(last) as Run["result"] } : {}) };
}

function stats(xs: number[]): { median: number; min: number; max: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)]!, min: s[0]!, max: s[s.length - 1]!, n: s.length };
}

/** A fit's rows: wall (median of `n` runs) and, when asked, its peak RSS. */
function fitRows(name: string, file: string, extra: string[], config: PplHmmRow["config"], n: number, target: number, hmmlearn: number, rssTarget?: number): PplHmmRow[] {
  const out = mkdtempSync(join(tmpdir(), "ppl-hmm-bench-out-"));
  const runs = Array.from({ length: n }, (_, i) => runBin(["fit", file, ...extra, "--out", join(out, `r${i}`), "--json"]));
  rmSync(out, { recursive: true, force: true });
  const r = runs[0]!.result!;
  const note = `fit ${r.seconds.fit.toFixed(2)} s, decode ${r.seconds.decode.toFixed(2)} s, figures ${r.seconds.figures.toFixed(2)} s; log-lik ${r.logLikelihood.toFixed(2)}; ${r.restarts.filter((s) => s.sameStartAs === undefined).length} restarts run, chosen converged`;
  const rows: PplHmmRow[] = [{ name, config, unit: "s", ...stats(runs.map((x) => x.wall)), targetValue: target, hmmlearnValue: hmmlearn, note }];
  if (rssTarget !== undefined) {
    const rss = stats(runs.map((x) => x.result!.peakRssMiB));
    rows.push({ name: `${name}-peak-rss`, config, unit: "MiB", ...rss, targetValue: rssTarget });
  }
  return rows;
}

/** The issue-26 rows: --help, Seattle (1 461 points), synthetic 5 000 / 50 000 / 500 000 points. */
export function pplHmmRows(quick: boolean): PplHmmRow[] {
  const rows: PplHmmRow[] = [];
  const help = Array.from({ length: 5 }, () => runBin(["--help"]).wall);
  rows.push({ name: "ppl-hmm/help", config: {}, unit: "s", ...stats(help), targetValue: 0.3 });
  const fitHelp = Array.from({ length: 5 }, () => runBin(["fit", "--help"]).wall);
  rows.push({ name: "ppl-hmm/fit-help", config: {}, unit: "s", ...stats(fitHelp), targetValue: 0.3 });
  const n = quick ? 1 : 3;
  rows.push(...fitRows("ppl-hmm/seattle-1461", SEATTLE, ["--columns", "temp_max", "--states", "2"], { T: 1461, K: 2 }, n, 1, 1.1));
  const dir = mkdtempSync(join(tmpdir(), "ppl-hmm-bench-"));
  for (const [T, target, hmmlearn, reps, rss] of [[5_000, 1.2, 1.2, n, undefined], [50_000, 2.5, 2.7, n, 400], [500_000, 15, 66.8, 1, 400]] as const) {
    if (quick && T > 50_000) continue;
    const file = join(dir, `synthetic-${T}.csv`);
    writeFileSync(file, ["signal", ...generate(1, T, 2026, TRUE).obs[0]!.map((v) => v.toFixed(4))].join("\n") + "\n");
    rows.push(...fitRows(`ppl-hmm/synthetic-${T / 1000}k`, file, ["--states", "3"], { T, K: 3 }, reps, target, hmmlearn, rss));
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

// `node dist/ppl-hmm.js`: the rows alone
if (process.argv[1] === fileURLToPath(import.meta.url)) for (const r of pplHmmRows(process.argv.includes("--quick"))) console.log(JSON.stringify(r));
