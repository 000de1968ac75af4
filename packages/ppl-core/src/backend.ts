/**
 * The one place that knows which tfjs backend runs. Everything else uses `tf`
 * and never asks.
 *
 * Order: PPL_BACKEND if set, else tfjs-node where it installs and loads, else
 * wasm, else the pure-JS cpu backend. Nothing here assumes Node: in a browser
 * or a worker there is no `process`, so no PPL_BACKEND and no process-wide
 * handlers to tidy, and tfjs-node is simply not found.
 */
import * as tf from "@tensorflow/tfjs";
import { PPLConfigError } from "./errors.js";
import { registerKernelGaps, replaceBrokenWasmKernels } from "./ops/wasm-kernels.js";
import { registerComparisonGradients } from "./ops/zero-gradients.js";

/**
 * The highest tensor rank ppl lets a computation reach: tfjs's wasm backend
 * computes elementwise ops silently wrong above rank 6 (docs/shapes-and-dims.md).
 * The one definition; plates, enumeration dims and contraction plans all check it.
 */
export const MAX_SAFE_RANK = 6;

/**
 * A tfjs backend ppl can run on: `"tensorflow"` (tfjs-node, native), `"wasm"`
 * (`@tensorflow/tfjs-backend-wasm`) or `"cpu"` (tfjs's pure-JS kernels).
 * Also the values `PPL_BACKEND` accepts.
 */
export type BackendName = "tensorflow" | "wasm" | "cpu";

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
  /** The version of `@tensorflow/tfjs` in use (`tf.version.tfjs`). */
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

const VALID: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

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

async function tryWasm(): Promise<boolean> {
  // Under Node the emscripten module installs process-wide handlers that
  // rethrow every uncaught error after printing its whole minified source;
  // remove the ones it added.
  const proc = nodeProcess();
  const before = proc === undefined ? undefined : PROCESS_EVENTS.map((e) => proc.listeners(e));
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    replaceBrokenWasmKernels();
    return await tf.setBackend("wasm");
  } catch {
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

async function choose(): Promise<BackendInfo> {
  tf.enableProdMode();
  registerComparisonGradients();
  registerKernelGaps();
  const requested = nodeProcess()?.env.PPL_BACKEND;
  const version = tf.version.tfjs;
  if (requested !== undefined && requested !== "") {
    if (!(VALID as readonly string[]).includes(requested)) {
      throw new PPLConfigError(
        `PPL_BACKEND=${requested} is not a backend ppl knows; expected one of ${VALID.join(", ")} (or leave it unset to choose automatically)`,
        { expected: VALID.join(", "), actual: requested },
      );
    }
    const ok =
      requested === "tensorflow" ? await tryTensorflow()
      : requested === "wasm" ? await tryWasm()
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
  if (await tryWasm()) return { name: "wasm", reason: "tfjs-node unavailable; wasm loaded", tfjsVersion: version };
  await tf.setBackend("cpu");
  return { name: "cpu", reason: "tfjs-node and wasm unavailable", tfjsVersion: version };
}

/**
 * Chooses and initialises the tfjs backend once; later calls return the same
 * promise. Await it before running a model: tfjs-node where it is installed and
 * loads, else wasm, else cpu; `PPL_BACKEND=tensorflow|wasm|cpu` (Node only)
 * forces one and fails loudly if it does not load.
 *
 * @returns The chosen backend, its reason and the tfjs version.
 * @throws {PPLConfigError} when PPL_BACKEND names an unknown backend or one that fails to load.
 * @example
 * ```ts
 * import { describeBackend, ready } from "ppl-core";
 * await ready();
 * console.log(describeBackend()); // "ppl backend: wasm (tfjs-node unavailable; wasm loaded; tfjs 4.22.0)"
 * ```
 */
export function ready(): Promise<BackendInfo> {
  pending ??= choose().then((info) => {
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
