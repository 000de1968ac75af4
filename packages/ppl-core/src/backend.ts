/**
 * The one place that knows which tfjs backend runs. Everything else uses `tf`
 * and never asks.
 *
 * Order: `ready({ backend })` if given, else PPL_BACKEND if set, else
 * tfjs-node where it installs and loads, else wasm, else the pure-JS cpu
 * backend. Nothing here assumes Node: in a browser or a worker there is no
 * `process`, so no PPL_BACKEND and no process-wide handlers to tidy, and
 * tfjs-node is simply not found; there the wasm files are looked for first
 * (wasm-files.ts) so that a missing file gives one clear warning.
 */
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's tensor methods, gradients and cpu backend, first (see the file).
import "./tfjs-setup.js";
import * as z from "zod/mini";
import { PPLConfigError } from "./errors.js";
import { parseOptions } from "./options.js";
import { type WasmPaths, findWasmFile } from "./wasm-files.js";
import { registerKernelGaps, replaceBrokenWasmKernels } from "./backend/wasm-kernels.js";
import { registerComparisonGradients } from "./backend/zero-gradients.js";

/**
 * The highest rank tfjs-backend-wasm 4.22's own XNNPACK-based kernels compute
 * right. ppl replaces those kernels above it (backend/wasm-high-rank.ts), so no
 * ppl computation is limited by rank: what limits a request is its size
 * (tensor-limit.ts). Kept for code that still sizes its work by rank.
 */
export { XNN_MAX_RANK as MAX_SAFE_RANK } from "./backend/wasm-high-rank.js";

/**
 * A tfjs backend ppl can run on: `"tensorflow"` (tfjs-node, native), `"wasm"`
 * (`@tensorflow/tfjs-backend-wasm`), `"cpu"` (tfjs's pure-JS kernels) — the
 * values `PPL_BACKEND` accepts — or, in a browser and only when asked for
 * with `ready({ backend })`, `"webgl"` or `"webgpu"` (docs/browser.md says
 * when they pay off).
 */
export type BackendName = "tensorflow" | "wasm" | "cpu" | "webgl" | "webgpu";

/**
 * Options of {@link ready}.
 *
 * @example
 * ```ts
 * await ready({ wasmPaths: "/assets/wasm/" }); // where the page serves tfjs-backend-wasm*.wasm
 * ```
 */
export interface ReadyOptions {
  /**
   * This backend or a PPLConfigError (no fallback). `"webgl"` and `"webgpu"`
   * need their tfjs backend package imported by the caller first
   * (`import "@tensorflow/tfjs-backend-webgl"`). Default: chosen automatically.
   */
  readonly backend?: BackendName;
  /**
   * Where a browser finds the wasm backend's `.wasm` files: a URL prefix
   * ending in `/`, or a map from file name (`tfjs-backend-wasm.wasm`,
   * `tfjs-backend-wasm-simd.wasm`, `tfjs-backend-wasm-threaded-simd.wasm`)
   * to URL. Default: beside the script (tfjs's own default).
   */
  readonly wasmPaths?: WasmPaths;
}

/**
 * What `ready()` chose.
 *
 * @example
 * ```ts
 * const info = await ready();
 * if (info.name === "cpu") console.warn(`slow path: ${info.reason}`);
 * ```
 */
export interface BackendInfo {
  /** The backend tfjs now runs on. */
  readonly name: BackendName;
  /** Why this backend was chosen, for the one line the examples print. */
  readonly reason: string;
  /** The version of `@tensorflow/tfjs-core` in use (`tf.version_core`). */
  readonly tfjsVersion: string;
}

type ProcessEvent = "uncaughtException" | "unhandledRejection";
type Listener = (...args: never[]) => unknown;

/** The part of Node's `process` this module uses; absent in browsers and workers. */
interface NodeProcess {
  readonly env: Readonly<Record<string, string | undefined>>;
  listeners(event: ProcessEvent): Listener[];
  removeListener(event: ProcessEvent, listener: Listener): unknown;
}

/** Node's `process` where there is one; read through globalThis so a browser bundle has no bare `process`. */
function nodeProcess(): NodeProcess | undefined {
  const p = (globalThis as unknown as { process?: Partial<NodeProcess> }).process;
  return typeof p?.listeners === "function" && typeof p.removeListener === "function" && typeof p.env === "object"
    ? (p as NodeProcess)
    : undefined;
}

let chosen: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;
let pendingKey = "{}";

/** What PPL_BACKEND accepts (the browser-only backends are asked for with `ready({ backend })`). */
const VALID: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];
const ALL: readonly BackendName[] = ["tensorflow", "wasm", "cpu", "webgl", "webgpu"];

const readySchema = z.strictObject({
  backend: z.optional(z.enum(ALL as [BackendName, ...BackendName[]])),
  wasmPaths: z.optional(z.union([z.string().check(z.minLength(1)), z.record(z.string(), z.string().check(z.minLength(1)))])),
});

/**
 * tfjs-node is an optional peer, looked up at run time only. The specifier is
 * a variable so that bundlers (esbuild, Vite, webpack) leave the import alone:
 * a browser bundle must not pull in a native Node addon.
 */
const TFJS_NODE: string = "@tensorflow/tfjs-node";

async function tryTensorflow(): Promise<boolean> {
  try {
    // tfjs-node may be installed without its native binding: importing throws.
    await import(/* @vite-ignore */ /* webpackIgnore: true */ TFJS_NODE);
    return await tf.setBackend("tensorflow");
  } catch {
    return false;
  }
}

const PROCESS_EVENTS: readonly ProcessEvent[] = ["uncaughtException", "unhandledRejection"];

async function tryWasm(wasmPaths: WasmPaths | undefined, required: boolean): Promise<boolean> {
  // Under Node the emscripten module installs process-wide handlers that
  // rethrow every uncaught error after printing its whole minified source;
  // remove the ones it added.
  const proc = nodeProcess();
  const before = proc === undefined ? undefined : PROCESS_EVENTS.map((e) => proc.listeners(e));
  try {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    if (wasmPaths !== undefined) wasm.setWasmPaths(wasmPaths);
    // In a browser, look for the file first: a missing one is then one
    // clear warning (or, when wasm was asked for, an error) instead of tfjs's
    // failed fetches and five warnings before it falls back.
    const missing = proc === undefined ? await findWasmFile(wasmPaths) : undefined;
    if (missing !== undefined) {
      if (required) throw new PPLConfigError(`ready({ backend: "wasm" }): ${missing}`, { expected: "the wasm files served", actual: "not found" });
      console.warn(`ppl: ${missing}; running on the cpu backend, several times slower`);
      return false;
    }
    replaceBrokenWasmKernels();
    return await tf.setBackend("wasm");
  } catch (err) {
    if (err instanceof PPLConfigError) throw err;
    return false;
  } finally {
    if (proc !== undefined && before !== undefined) {
      PROCESS_EVENTS.forEach((event, i) => {
        for (const listener of proc.listeners(event)) {
          if (!before[i]!.includes(listener)) proc.removeListener(event, listener);
        }
      });
    }
  }
}

/** A backend the caller registered by importing its package (webgl, webgpu), or a PPLConfigError. */
async function tryRegistered(name: "webgl" | "webgpu"): Promise<boolean> {
  if (tf.findBackendFactory(name) === null) {
    throw new PPLConfigError(
      `ready({ backend: "${name}" }): no ${name} backend is registered; import "@tensorflow/tfjs-backend-${name}" in your entry before calling ready() (ppl does not bundle it, to keep pages small)`,
      { expected: `@tensorflow/tfjs-backend-${name} imported`, actual: "not registered" },
    );
  }
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

async function choose(options: ReadyOptions): Promise<BackendInfo> {
  tf.enableProdMode();
  registerComparisonGradients();
  registerKernelGaps();
  const version = tf.version_core;
  if (options.backend !== undefined) {
    const name = options.backend;
    const ok =
      name === "tensorflow" ? await tryTensorflow()
      : name === "wasm" ? await tryWasm(options.wasmPaths, true)
      : name === "cpu" ? await tf.setBackend("cpu")
      : await tryRegistered(name);
    if (!ok) {
      throw new PPLConfigError(
        `ready({ backend: "${name}" }) was requested but that backend failed to initialise here` +
          (name === "webgl" || name === "webgpu" ? ` (no ${name === "webgl" ? "WebGL" : "WebGPU"} in this browser or worker?)` : "") +
          "; leave `backend` out to choose automatically",
        { expected: `a working ${name} backend`, actual: "failed to initialise" },
      );
    }
    return { name, reason: "ready({ backend })", tfjsVersion: version };
  }
  const requested = nodeProcess()?.env.PPL_BACKEND;
  if (requested !== undefined && requested !== "") {
    if (!(VALID as readonly string[]).includes(requested)) {
      throw new PPLConfigError(
        `PPL_BACKEND=${requested} is not a backend ppl knows; expected one of ${VALID.join(", ")} (or leave it unset to choose automatically)`,
        { expected: VALID.join(", "), actual: requested },
      );
    }
    const ok =
      requested === "tensorflow" ? await tryTensorflow()
      : requested === "wasm" ? await tryWasm(options.wasmPaths, false)
      : await tf.setBackend("cpu");
    if (!ok) {
      throw new PPLConfigError(
        `PPL_BACKEND=${requested} was requested but that backend failed to load; unset PPL_BACKEND to fall back automatically`,
        { expected: `a loadable ${requested} backend`, actual: "failed to load" },
      );
    }
    return { name: requested as BackendName, reason: "PPL_BACKEND", tfjsVersion: version };
  }
  if (await tryTensorflow()) return { name: "tensorflow", reason: "tfjs-node loaded", tfjsVersion: version };
  if (await tryWasm(options.wasmPaths, false)) return { name: "wasm", reason: "tfjs-node unavailable; wasm loaded", tfjsVersion: version };
  await tf.setBackend("cpu");
  return { name: "cpu", reason: "tfjs-node and wasm unavailable", tfjsVersion: version };
}

/**
 * Chooses and initialises the tfjs backend once; later calls return the same
 * promise. Await it before running a model: tfjs-node where it is installed and
 * loads, else wasm, else cpu; `PPL_BACKEND=tensorflow|wasm|cpu` (Node only)
 * forces one and fails loudly if it does not load, and so does
 * `options.backend` (which also allows `"webgl"` and `"webgpu"` in a browser).
 * In a browser, `options.wasmPaths` says where the `.wasm` files are served;
 * when they are not found there, one warning says so and cpu runs instead.
 *
 * @param options `backend` and `wasmPaths` ({@link ReadyOptions}); only the first call's count
 * @returns The chosen backend, its reason and the tfjs version.
 * @throws {PPLConfigError} when PPL_BACKEND or `options.backend` names an unknown backend or one
 *   that fails to load, when an option is invalid, or when a later call asks for different options.
 * @example
 * ```ts
 * import { describeBackend, ready } from "ppl-core";
 * await ready();
 * console.log(describeBackend()); // "ppl backend: wasm (tfjs-node unavailable; wasm loaded; tfjs 4.22.0)"
 * ```
 */
export function ready(options?: ReadyOptions): Promise<BackendInfo> {
  let parsed: ReadyOptions;
  try {
    parsed = parseOptions("ready", readySchema, options);
  } catch (err) {
    return Promise.reject(err as Error);
  }
  const key = JSON.stringify(parsed);
  if (pending !== undefined) {
    if (options !== undefined && key !== pendingKey) {
      return Promise.reject(new PPLConfigError(
        `ready(${key}): the backend was already chosen by an earlier ready(${pendingKey}); it is chosen once per thread, so pass the options to the first call`,
        { expected: pendingKey, actual: key },
      ));
    }
    return pending;
  }
  pendingKey = key;
  pending = choose(parsed).then((info) => {
    chosen = info;
    return info;
  });
  return pending;
}

/**
 * The backend chosen by `ready()`, for code that runs after it.
 *
 * @throws {PPLConfigError} if `ready()` was never called or has not finished.
 */
export function backendInfo(): BackendInfo {
  if (chosen === undefined) {
    throw new PPLConfigError("the tfjs backend is not ready: `await ready()` from ppl-core before running inference", {
      expected: "ready() awaited",
      actual: pending === undefined ? "ready() never called" : "ready() still pending or failed",
    });
  }
  return chosen;
}

/** Whether `ready()` has finished, i.e. whether `backendInfo()` would return instead of throwing. */
export function isReady(): boolean {
  return chosen !== undefined;
}

/**
 * One line for a program's output, e.g.
 * `"ppl backend: wasm (tfjs-node unavailable; wasm loaded; tfjs 4.22.0)"`.
 *
 * @throws {PPLConfigError} if `ready()` has not finished.
 */
export function describeBackend(): string {
  const b = backendInfo();
  return `ppl backend: ${b.name} (${b.reason}; tfjs ${b.tfjsVersion})`;
}
