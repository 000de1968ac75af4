// What a published tarball must hold, checked on the file itself:
// the built entry points with their types, README/LICENSE/CHANGELOG, no
// tests or fixtures or build caches, every compiled file matching a shipped
// source (no stale output), source maps that resolve to shipped sources, and
// a manifest whose exports point at dist/ with no workspace: ranges left.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

const FORBIDDEN = [
  [/(^|\/)(test|tests|__tests__|fixtures?|__fixtures__)\//, "a test or fixture directory"],
  [/\.(test|spec)\.[cm]?[jt]s$/, "a test file"],
  [/tsbuildinfo$/, "a TypeScript build cache"],
  [/(^|\/)node_modules\//, "node_modules"],
  [/(^|\/)\.[^/]+$/, "a dotfile"],
];
const REQUIRED = ["package.json", "README.md", "LICENSE", "CHANGELOG.md"];

/** Leaves of an exports map (condition objects nest). */
function exportTargets(exp) {
  if (typeof exp === "string") return [exp];
  if (exp === null || typeof exp !== "object") return [];
  return Object.values(exp).flatMap(exportTargets);
}

/**
 * Unpacks `file` into `into` and checks it. Returns the problems found (empty
 * when the tarball is fine) and a short description of what it holds.
 */
export function checkTarball(file, into) {
  const problems = [];
  mkdirSync(into, { recursive: true });
  const listing = spawnSync("tar", ["tzf", file], { encoding: "utf8" });
  const untar = spawnSync("tar", ["xzf", file, "-C", into], { encoding: "utf8" });
  if (listing.status !== 0 || untar.status !== 0) {
    return { problems: [`tar could not read ${file}: ${listing.stderr}${untar.stderr}`], files: 0, unpackedBytes: 0, summary: "" };
  }
  const files = listing.stdout.split("\n").filter((l) => l !== "" && !l.endsWith("/")).map((l) => l.replace(/^package\//, ""));
  const has = new Set(files);
  const pkgDir = join(into, "package");
  const unpackedBytes = files.reduce((s, f) => s + statSync(join(pkgDir, f)).size, 0);

  for (const f of REQUIRED) if (!has.has(f)) problems.push(`${f} missing`);
  for (const f of files) {
    for (const [re, what] of FORBIDDEN) if (re.test(f)) problems.push(`${f} is ${what}`);
  }

  const manifestText = readFileSync(join(pkgDir, "package.json"), "utf8");
  const manifest = JSON.parse(manifestText);
  if (manifestText.includes("workspace:")) problems.push("package.json still has a workspace: range");
  for (const field of ["repository", "keywords", "engines", "license", "description"]) {
    if (manifest[field] === undefined) problems.push(`package.json has no ${field}`);
  }
  if (manifest.type !== "module") problems.push('package.json is not "type": "module" (the packages are ESM-only)');
  for (const dep of ["@tensorflow/tfjs", "@tensorflow/tfjs-core", "@tensorflow/tfjs-backend-cpu", "@tensorflow/tfjs-backend-wasm", "@tensorflow/tfjs-node"]) {
    if (manifest.dependencies?.[dep] !== undefined || manifest.optionalDependencies?.[dep] !== undefined) {
      problems.push(`${dep} is an ordinary dependency (it must be a peer, or an app gets two copies of tfjs)`);
    }
  }
  // the sources import @tensorflow/tfjs-core (the umbrella only in ppl-core's Node setup, also a peer there)
  if (manifest.peerDependencies?.["@tensorflow/tfjs-core"] === undefined) problems.push("@tensorflow/tfjs-core is not a peer dependency");
  if (manifest.scripts?.prepack !== undefined || manifest.scripts?.prepare !== undefined) {
    problems.push("package.json ships a prepack/prepare script (it would run in the user's install)");
  }
  for (const target of [...exportTargets(manifest.exports), manifest.main, manifest.types].filter((t) => t !== undefined)) {
    if (!target.startsWith("./dist/")) problems.push(`export target ${target} is not in dist/`);
    else if (!has.has(target.slice(2))) problems.push(`export target ${target} is not in the tarball`);
  }

  const js = files.filter((f) => f.startsWith("dist/") && f.endsWith(".js"));
  const sources = files.filter((f) => f.startsWith("src/") && f.endsWith(".ts") && !f.endsWith(".d.ts"));
  for (const f of js) {
    const base = f.slice("dist/".length, -".js".length);
    if (!has.has(`dist/${base}.d.ts`)) problems.push(`${f} has no .d.ts`);
    if (!has.has(`src/${base}.ts`)) problems.push(`${f} has no source src/${base}.ts (stale build output?)`);
    if (!has.has(`${f}.map`)) {
      problems.push(`${f} has no source map`);
      continue;
    }
    const map = JSON.parse(readFileSync(join(pkgDir, `${f}.map`), "utf8"));
    for (const s of map.sources ?? []) {
      const resolved = normalize(join(dirname(f), map.sourceRoot ?? "", s));
      if (!has.has(resolved)) problems.push(`${f}.map points at ${s}, which is not shipped`);
    }
  }
  for (const f of sources) {
    const base = f.slice("src/".length, -".ts".length);
    if (!has.has(`dist/${base}.js`)) problems.push(`${f} was not compiled into dist/`);
  }
  const summary = `${js.length} .js with .d.ts and maps, ${sources.length} sources`;
  return { problems, files: files.length, unpackedBytes, summary };
}
