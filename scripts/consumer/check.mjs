#!/usr/bin/env node
// The published artefact, checked as a user meets it: pack ppl-core, ppl-enum,
// ppl-autoguide and ppl-hmm (prepack builds them), check each tarball's file list,
// install the tarballs with tfjs from the registry into an empty npm project in
// a temp dir, type-check app/main.ts under `tsc --strict`, and run it; then run
// the ppl-hmm command there as a user would (`npx ppl-hmm fit data.csv ...`).
//
//   node scripts/consumer/check.mjs                 both ends of ppl-core's tfjs peer range (what CI runs):
//                                                   its lower bound, and the workspace's version
//   node scripts/consumer/check.mjs --tfjs=4.22.0   one tfjs version
//   node scripts/consumer/check.mjs --tfjs=4.20.0,4.22.0 --keep           keep the temp dir
//   node scripts/consumer/check.mjs --tfjs=4.15.0 --legacy-peer-deps      probe a version outside the range
//
// Exits 0 when every step passed; the last line says what was checked.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkTarball } from "./tarball.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
const PACKAGES = ["ppl-core", "ppl-enum", "ppl-autoguide", "ppl-hmm"];
const args = process.argv.slice(2);
const flag = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const keep = args.includes("--keep");
// --legacy-peer-deps: install a tfjs outside the peer range anyway, to probe whether the range could widen
const npmExtra = args.includes("--legacy-peer-deps") ? ["--legacy-peer-deps"] : [];
const core = JSON.parse(readFileSync(join(root, "packages/ppl-core/package.json"), "utf8"));
// The peer range's ends: its lower bound, and the workspace's tfjs (the newest tested).
const workspaceTfjs = core.devDependencies["@tensorflow/tfjs"];
const lowEnd = />=\s*(\d+\.\d+\.\d+)/.exec(core.peerDependencies["@tensorflow/tfjs"])?.[1];
const tfjsVersions = (flag("tfjs") ?? [lowEnd, workspaceTfjs].filter((v) => v !== undefined).join(",")).split(",");

const t0 = performance.now();
const seconds = (t) => ((performance.now() - t) / 1000).toFixed(1);
const failures = [];
const work = mkdtempSync(join(tmpdir(), "ppl-consumer-"));

/** Runs a command; returns its output, or records a failure with the output's tail. */
function run(what, cmd, cmdArgs, options = {}) {
  const r = spawnSync(cmd, cmdArgs, { encoding: "utf8", maxBuffer: 64 << 20, ...options });
  const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
  if (r.status !== 0) {
    failures.push(`${what} failed (exit ${r.status ?? r.signal ?? r.error?.message})`);
    console.log(`${what} FAILED:\n${output.split("\n").slice(-40).join("\n")}`);
    return undefined;
  }
  return output;
}

// 1. pack (each package's prepack removes dist/ and rebuilds it)
const tarballDir = join(work, "tarballs");
mkdirSync(tarballDir);
const tarballs = {};
for (const name of PACKAGES) {
  const t = performance.now();
  const dir = join(root, "packages", name);
  const { version } = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  if (run(`pnpm pack (${name})`, "pnpm", ["pack", "--pack-destination", tarballDir], { cwd: dir }) === undefined) continue;
  const file = join(tarballDir, `${name}-${version}.tgz`);
  const report = checkTarball(file, join(work, "unpacked", name));
  tarballs[name] = file;
  console.log(
    `${name}: packed in ${seconds(t)} s, ${(statSync(file).size / 1024).toFixed(0)} KiB tarball, ` +
      `${(report.unpackedBytes / 1024).toFixed(0)} KiB unpacked, ${report.files} files (${report.summary})`,
  );
  for (const p of report.problems) failures.push(`${name} tarball: ${p}`);
}

// 2. for each tfjs version: an empty npm project, install, type-check, run
const tsc = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");
if (Object.keys(tarballs).length === PACKAGES.length) {
  for (const tfjs of tfjsVersions) {
    const app = join(work, `app-tfjs-${tfjs}`);
    mkdirSync(app);
    for (const f of ["main.ts", "tsconfig.json"]) copyFileSync(join(here, "app", f), join(app, f));
    const dependencies = Object.fromEntries(PACKAGES.map((n) => [n, `file:${tarballs[n]}`]));
    // one version of every tfjs package ppl peers on, as the README's install line asks
    for (const name of ["@tensorflow/tfjs", "@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm"]) dependencies[name] = tfjs;
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "ppl-consumer", private: true, type: "module", dependencies }, null, 2));

    let t = performance.now();
    const install = run(`npm install (tfjs ${tfjs})`, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--no-update-notifier", ...npmExtra], { cwd: app });
    if (install === undefined) continue;
    // What a user must not see on install: engine warnings, peer conflicts, stack traces.
    const bad = install.split("\n").filter((l) => /EBADENGINE|Unsupported engine|ERESOLVE|peer dep|conflicting peer|^\s+at |gyp ERR/i.test(l));
    if (bad.length > 0) {
      failures.push(`npm install (tfjs ${tfjs}) printed: ${bad.slice(0, 5).join(" | ")}`);
    }
    console.log(`tfjs ${tfjs}: npm install ${seconds(t)} s${bad.length > 0 ? ` (${bad.length} bad lines)` : ", no warnings"}`);
    // the peer range must have let npm keep the one tfjs the app asked for (no nested copy)
    const nested = PACKAGES.map((n) => join(app, "node_modules", n, "node_modules", "@tensorflow")).filter((p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    });
    if (nested.length > 0) failures.push(`tfjs ${tfjs}: a nested copy of tfjs under ${nested.join(", ")}`);

    // The packages' README examples, taken from the installed tarballs (what a
    // user reads on the registry), are type-checked and run like main.ts, with
    // the workspace's tfjs (other versions run main.ts only, to stay quick).
    const programs = ["main"];
    for (const name of tfjs === workspaceTfjs ? PACKAGES : []) {
      const readme = readFileSync(join(app, "node_modules", name, "README.md"), "utf8");
      const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
      if (blocks.length === 0) failures.push(`${name}'s README has no TypeScript example`);
      blocks.forEach((code, i) => {
        const file = `readme-${name}-${i + 1}`;
        writeFileSync(join(app, `${file}.ts`), `// from ${name}'s README.md\n${code}`);
        programs.push(file);
      });
    }
    const tsconfig = JSON.parse(readFileSync(join(app, "tsconfig.json"), "utf8"));
    tsconfig.files = programs.map((p) => `${p}.ts`);
    writeFileSync(join(app, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));

    t = performance.now();
    // skipLibCheck is off so that ppl's shipped .d.ts are checked too; tfjs's
    // own .d.ts do not pass a strict check (a missing `Long`, tfjs-layers'
    // index signatures), so errors located in @tensorflow/* are not ppl's and are
    // left out. Every other error (the program, ppl's types) fails the check.
    const tscRun = spawnSync(process.execPath, [tsc, "-p", join(app, "tsconfig.json")], { cwd: app, encoding: "utf8" });
    const errors = `${tscRun.stdout}${tscRun.stderr}`.split("\n").filter((l) => /error TS\d+/.test(l));
    const ours = errors.filter((l) => !l.startsWith("node_modules/@tensorflow/"));
    if (ours.length > 0 || (tscRun.status !== 0 && errors.length === 0)) {
      failures.push(`tsc --strict (tfjs ${tfjs}): ${ours.length} error(s)`);
      console.log(`tsc --strict (tfjs ${tfjs}) FAILED:\n${ours.join("\n") || tscRun.stdout + tscRun.stderr}`);
      continue;
    }
    console.log(`tfjs ${tfjs}: type-check ${seconds(t)} s (${errors.length - ours.length} errors inside tfjs's own .d.ts ignored)`);

    const env = { ...process.env };
    delete env.PPL_BACKEND;
    for (const program of programs) {
      t = performance.now();
      const out = run(`${program} (tfjs ${tfjs})`, process.execPath, [join(app, "out", `${program}.js`)], { cwd: app, env, timeout: 120_000 });
      if (out === undefined) continue;
      console.log(`tfjs ${tfjs}: ${program} ran in ${seconds(t)} s`);
      console.log(out.trimEnd().split("\n").map((l) => `  | ${l}`).join("\n"));
      if (/kernel .* already registered|Platform .* has already been set/i.test(out)) {
        failures.push(`tfjs ${tfjs}: ${program} printed tfjs registration warnings (two copies of tfjs?)`);
      }
    }
    if (tfjs === workspaceTfjs) checkPplHmmBin(app, env);
  }
}

/** `npx ppl-hmm` in the installed project: --help, then a fit of a small CSV into r/. */
function checkPplHmmBin(app, env) {
  const rows = ["value"];
  for (let t = 0; t < 200; t++) rows.push(String((Math.floor(t / 20) % 2 === 0 ? 0 : 5) + Math.sin(t * 12.9898) * 0.5));
  writeFileSync(join(app, "data.csv"), rows.join("\n") + "\n");
  let t = performance.now();
  if (run("npx ppl-hmm --help", "npx", ["--no-install", "ppl-hmm", "--help"], { cwd: app, env }) === undefined) return;
  console.log(`ppl-hmm: npx ppl-hmm --help in ${seconds(t)} s`);
  t = performance.now();
  const out = run("npx ppl-hmm fit", "npx", ["--no-install", "ppl-hmm", "fit", "data.csv", "--states", "2", "--out", "r"], { cwd: app, env, timeout: 300_000 });
  if (out === undefined) return;
  const params = JSON.parse(readFileSync(join(app, "r", "params.json"), "utf8"));
  const means = params.params.locs;
  if (!(means.length === 2 && Math.abs(means[0]) < 0.5 && Math.abs(means[1] - 5) < 0.5)) failures.push(`npx ppl-hmm fit: state means ${JSON.stringify(means)}, expected about 0 and 5`);
  console.log(`ppl-hmm: npx ppl-hmm fit data.csv --states 2 --out r in ${seconds(t)} s (state means ${means.map((m) => m.toFixed(2)).join(", ")})`);
}

if (keep) console.log(`kept ${work}`);
else rmSync(work, { recursive: true, force: true });
if (failures.length > 0) {
  for (const f of failures) console.log(`  - ${f}`);
  console.log(`consumer check FAILED (${failures.length} problem${failures.length === 1 ? "" : "s"}, ${seconds(t0)} s)`);
  process.exit(1);
}
console.log(`consumer check passed: ${PACKAGES.join(", ")} packed and installed with tfjs ${tfjsVersions.join(", ")} (${seconds(t0)} s)`);
