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
import { type Metafile, build } from "esbuild";

export const here = join(dirname(fileURLToPath(import.meta.url)), "..");
export const distDir = join(here, "dist");

/** The folder holding tfjs-backend-wasm's .wasm files (resolved as the page's bundle resolves the package). */
function wasmDir(): string {
  const require = createRequire(join(here, "package.json"));
  return dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm"));
}

/** Bundles `entries` (name → source) into `outdir` with the .wasm files under wasm/; returns esbuild's metafile. */
export async function bundle(entries: Record<string, string>, outdir: string): Promise<Metafile> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(join(outdir, "wasm"), { recursive: true });
  const result = await build({
    entryPoints: entries,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    sourcemap: false,
    outdir,
    metafile: true,
    logLevel: "warning",
    legalComments: "none",
  });
  for (const f of readdirSync(wasmDir()).filter((f) => f.endsWith(".wasm"))) copyFileSync(join(wasmDir(), f), join(outdir, "wasm", f));
  return result.metafile;
}

/** Builds dist/; returns the byte size of each output file (what the bundle-size check reads). */
export async function buildPage(): Promise<Record<string, number>> {
  const meta = await bundle({ main: join(here, "src", "main.ts"), "fit.worker": join(here, "src", "fit.worker.ts") }, distDir);
  writeFileSync(join(distDir, "meta.json"), JSON.stringify(meta));
  copyFileSync(join(here, "src", "index.html"), join(distDir, "index.html"));
  mkdirSync(join(distDir, "series"));
  for (const f of readdirSync(join(here, "series"))) copyFileSync(join(here, "series", f), join(distDir, "series", f));
  return Object.fromEntries(Object.entries(meta.outputs).map(([file, o]) => [file, o.bytes]));
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const sizes = await buildPage();
  for (const [file, bytes] of Object.entries(sizes)) console.log(`${file}: ${(bytes / 1024).toFixed(0)} KiB`);
  console.log(`built ${distDir}`);
}
