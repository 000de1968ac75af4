#!/usr/bin/env node
/**
 * The garbage collector's share of V8 CPU profiles written by `node
 * --cpu-prof` (bench/cpu-profile.ts's gcShare), over the second half of the
 * samples, so a run's start (module loading, the recording step) is left out.
 * Issue 25's target is ≤ 5 % of a compiled step; `pnpm bench`'s gc-share rows
 * profile their steady steps in the job itself. Build the bench first (cd bench && npx tsc -b).
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/p --conditions=ppl-compiled bench/dist/hmm-job.js 3 3 150 1
 *   node bench/gc-share.mjs /tmp/p/*.cpuprofile
 */
import { readFileSync } from "node:fs";
import { gcShare } from "./dist/cpu-profile.js";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node bench/gc-share.mjs <profile.cpuprofile> ...");
  process.exit(2);
}
for (const file of files) {
  const { share, ms } = gcShare(JSON.parse(readFileSync(file, "utf8")), 0.5);
  console.log(`${(100 * share).toFixed(1)} % GC of ${ms.toFixed(0)} ms (second half)  ${file}`);
}
