/**
 * The one place that knows which tfjs backend runs. Everything else uses `tf`
 * and never asks.
 *
 * Order: PPL_BACKEND if set, else tfjs-node where it installs and loads, else
 * wasm, else the pure-JS cpu backend.
 */
import * as tf from "@tensorflow/tfjs";
import { PPLConfigError } from "./errors.js";
import { registerKernelGaps, replaceBrokenWasmKernels } from "./ops/wasm-kernels.js";
import { registerComparisonGradients } from "./ops/zero-gradients.js";

/**
 * The highest tensor rank ppl lets a computation reach: tfjs wasm computes
 * elementwise ops silently wrong above rank 6 (TFJS-NOTES §4). The one
 * definition; plates, enumeration dims and contraction plans all check it.
 */
export const MAX_SAFE_RANK = 6;

export type BackendName = "tensorflow" | "wasm" | "cpu";

export interface BackendInfo {
  readonly name: BackendName;
  /** Why this backend was chosen, for the one line the examples print. */
  readonly reason: string;
  readonly tfjsVersion: string;
}

let chosen: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

const VALID: readonly BackendName[] = ["tensorflow", "wasm", "cpu"];

async function tryTensorflow(): Promise<boolean> {
  try {
    // tfjs-node may be installed without its native binding: importing throws.
    await import("@tensorflow/tfjs-node" as string);
    return await tf.setBackend("tensorflow");
  } catch {
    return false;
  }
}

async function tryWasm(): Promise<boolean> {
  // The emscripten module installs process-wide handlers that rethrow every
  // uncaught error after printing its whole minified source; remove them.
  const before = {
    uncaughtException: process.listeners("uncaughtException"),
    unhandledRejection: process.listeners("unhandledRejection"),
  };
  try {
    await import("@tensorflow/tfjs-backend-wasm");
    replaceBrokenWasmKernels();
    return await tf.setBackend("wasm");
  } catch {
    return false;
  } finally {
    for (const listener of process.listeners("uncaughtException")) {
      if (!before.uncaughtException.includes(listener)) process.removeListener("uncaughtException", listener);
    }
    for (const listener of process.listeners("unhandledRejection")) {
      if (!before.unhandledRejection.includes(listener)) process.removeListener("unhandledRejection", listener);
    }
  }
}

async function choose(): Promise<BackendInfo> {
  tf.enableProdMode();
  registerComparisonGradients();
  registerKernelGaps();
  const requested = process.env.PPL_BACKEND;
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

/** Choose and initialise the backend once; later calls return the same choice. */
export function ready(): Promise<BackendInfo> {
  pending ??= choose().then((info) => {
    chosen = info;
    return info;
  });
  return pending;
}

/** The backend chosen by `ready()`. Throws if `ready()` has not finished. */
export function backendInfo(): BackendInfo {
  if (chosen === undefined) {
    throw new PPLConfigError("the tfjs backend is not ready: `await ready()` from ppl-core before running inference", {
      expected: "ready() awaited",
      actual: pending === undefined ? "ready() never called" : "ready() still pending or failed",
    });
  }
  return chosen;
}

export function isReady(): boolean {
  return chosen !== undefined;
}

/** One line for a program's output. */
export function describeBackend(): string {
  const b = backendInfo();
  return `ppl backend: ${b.name} (${b.reason}; tfjs ${b.tfjsVersion})`;
}
