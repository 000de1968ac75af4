/**
 * Builds the page into dist/, a folder any static host serves: the page's
 * script and the worker's, bundled and minified by esbuild, index.html, the
 * example series, and tfjs-backend-wasm's .wasm files under wasm/ (where the
 * worker's ready({ wasmPaths }) points).
 *
 *   pnpm --filter web build            (pnpm example:web builds, then serves)
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const here = join(dirname(fileURLToPath(import.meta.url)), "..");
export const distDir = join(here, "dist");

/** The folder holding tfjs-backend-wasm's .wasm files (resolved as the page's bundle resolves the package). */
function wasmDir(): string {
  const require = createRequire(join(here, "package.json"));
  return dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
}

/** Builds dist/; returns the byte size of each output file (what the bundle-size check reads). */
export async function buildPage(): Promise<Record<string, number>> {
  rmSync(distDir, { recursive: true, force: true });
  mkdirSync(join(distDir, "wasm"), { recursive: true });
  const result = await build({
    entryPoints: { main: join(here, "src", "main.ts"), "fit.worker": join(here, "src", "fit.worker.ts") },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    outdir: distDir,
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  });
  writeFileSync(join(distDir, "meta.json"), JSON.stringify(result.metafile));
  copyFileSync(join(here, "src", "index.html"), join(distDir, "index.html"));
  mkdirSync(join(distDir, "series"));
  for (const f of readdirSync(join(here, "series"))) copyFileSync(join(here, "series", f), join(distDir, "series", f));
  for (const f of readdirSync(wasmDir()).filter((f) => f.endsWith(".wasm"))) copyFileSync(join(wasmDir(), f), join(distDir, "wasm", f));
  return Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, o]) => [file, o.bytes]));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = await buildPage();
  for (const [file, bytes] of Object.entries(sizes)) console.log(`${file}: ${(bytes / 1024).toFixed(0)} KiB`);
  console.log(`built ${distDir}`);
}
