#!/usr/bin/env node
/**
 * Compare two trees (e.g. main and a branch's worktree) on one bench job, the
 * trees alternated round by round so a shared, noisy machine loads both alike.
 * Build each tree's bench first (cd bench && npx tsc -b). Prints each tree's
 * rounds and their median of the job's `cpuMs` or `cpuMsPerStep` (CPU ms per
 * step, when it reports it) or of its `cpuTimes`, else `medianMs`, else the median of its `times`.
 *
 *   node bench/ab.mjs <treeA> <treeB> <rounds> <job.js> [job args ...] [-- tree B's job args ...]
 *   node bench/ab.mjs /work/main . 5 step-job.js markov 40 0
 *   node bench/ab.mjs . . 5 step-job.js markov 40 0 0 -- markov 40 0 1    (one tree, interpreted vs compiled)
 */
import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";
import { loadavg } from "node:os";

const [a, b, rounds, job, ...rest] = process.argv.slice(2);
const split = rest.indexOf("--");
const argsOf = split < 0 ? [rest, rest] : [rest.slice(0, split), rest.slice(split + 1)];
if (!a || !b || !job) {
  console.error("usage: node bench/ab.mjs <treeA> <treeB> <rounds> <job.js> [args ...]");
  process.exit(2);
}
const trees = [resolve(a), resolve(b)];
const figures = trees.map(() => []);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
for (let r = 0; r < Number(rounds); r++) {
  const order = r % 2 === 0 ? [0, 1] : [1, 0];
  for (const i of order) {
    const out = execFileSync("node", ["--conditions=ppl-compiled", join(trees[i], "bench", "dist", job), ...argsOf[i]], { cwd: join(trees[i], "bench"), encoding: "utf8" });
    const line = JSON.parse(out.trim().split("\n").pop());
    figures[i].push(line.cpuMs ?? line.cpuMsPerStep ?? (line.cpuTimes ? median(line.cpuTimes) : undefined) ?? line.medianMs ?? median(line.times));
  }
}
for (let i = 0; i < 2; i++) {
  console.log(`${trees[i]} ${argsOf[i].join(" ")}: median ${median(figures[i]).toFixed(2)} ms  [${figures[i].map((x) => x.toFixed(1)).join(", ")}]`);
}
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
