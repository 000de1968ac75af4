/**
 * Where a browser will fetch the wasm backend's binary from, and whether it
 * is there: tfjs picks one of three files by the browser's features and looks
 * for it beside the script unless `setWasmPaths` says otherwise.
 */
import * as tf from "@tensorflow/tfjs-core";

/** A URL prefix ending in `/`, or a map from each `.wasm` file name to its URL (tfjs's `setWasmPaths`). */
export type WasmPaths = string | Readonly<Record<string, string>>;

/** The file tfjs-backend-wasm will load here (it registers the two feature flags read). */
async function wasmFileName(): Promise<string> {
  const simd = (await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT")) === true;
  const threads = (await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT")) === true;
  return simd && threads ? "tfjs-backend-wasm-threaded-simd.wasm" : simd ? "tfjs-backend-wasm-simd.wasm" : "tfjs-backend-wasm.wasm";
}

/**
 * Undefined when the wasm binary this browser needs is served where tfjs will
 * look; else what is wrong, in one sentence with the fix. Only for browsers
 * and workers (under Node tfjs reads the file from its package).
 */
export async function findWasmFile(paths: WasmPaths | undefined): Promise<string | undefined> {
  const here = (globalThis as { location?: { href: string } }).location?.href;
  if (typeof fetch !== "function" || here === undefined) return undefined;
  const file = await wasmFileName();
  const given = typeof paths === "string" ? paths + file : paths?.[file];
  if (paths !== undefined && given === undefined) {
    return `wasmPaths names no URL for ${file}, the file this browser needs; give a URL prefix or all three .wasm files`;
  }
  const url = new URL(given ?? file, here).href;
  const fix = "copy the .wasm files from @tensorflow/tfjs-backend-wasm/dist to where the page serves them, or pass ready({ wasmPaths: \"/their/folder/\" }) (docs/browser.md)";
  let response: Response;
  try {
    response = await fetch(url);
  } catch (err) {
    return `the wasm backend's ${file} could not be fetched from ${url} (${(err as Error).message}); ${fix}`;
  }
  // Only the headers are needed; the real load comes from the HTTP cache.
  void response.body?.cancel();
  if (!response.ok) return `the wasm backend's ${file} is not at ${url} (HTTP ${response.status}); ${fix}`;
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("application/wasm")) {
    console.warn(`ppl: ${url} is served as "${type}", not application/wasm; it still loads, but compiles more slowly (serve .wasm as application/wasm)`);
  }
  return undefined;
}
