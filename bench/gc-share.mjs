#!/usr/bin/env node
/**
 * The garbage collector's share of a V8 CPU profile: the main thread's
 * "(garbage collector)" samples over the second half of the samples (time
 * order, weighted by their time deltas), so a run's start (module loading,
 * the recording step) is left out. Issue 25's target is ≤ 5 % of a compiled step.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/p --conditions=ppl-compiled bench/dist/hmm-job.js 3 3 150 1
 *   node bench/gc-share.mjs /tmp/p/*.cpuprofile
 */
import { readFileSync } from "node:fs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node bench/gc-share.mjs <profile.cpuprofile> ...");
  process.exit(2);
}
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, "utf8"));
  const gc = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(garbage collector)").map((n) => n.id));
  const { samples, timeDeltas } = profile;
  let total = 0;
  let collecting = 0;
  for (let i = Math.floor(samples.length / 2); i < samples.length; i++) {
    const dt = timeDeltas[i] ?? 0;
    total += dt;
    if (gc.has(samples[i])) collecting += dt;
  }
  console.log(`${((100 * collecting) / total).toFixed(1)} % GC of ${(total / 1000).toFixed(0)} ms (second half)  ${file}`);
}
