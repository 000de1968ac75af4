// The main entries bundle for the browser: esbuild (platform "browser") bundles
// ppl-core, ppl-enum and ppl-autoguide from their sources with tfjs, and the
// test fails if any of ppl's own files imports a Node built-in (or if esbuild
// cannot resolve one for the browser anywhere in the graph). Then ppl-core's
// bundle runs in a fresh V8 context that has no `process`, no `require` and no
// Node globals (a worker-like global scope): `ready()` must still choose a
// backend, and a log-density must come out as its closed form.
import { builtinModules } from "node:module";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { createContext, runInContext } from "node:vm";
import { build, type Metafile } from "esbuild";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const ENTRIES = ["ppl-core/src/index.ts", "ppl-enum/src/index.ts", "ppl-autoguide/src/index.ts"];
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const isBuiltin = (path: string) => builtins.has(path) || path.startsWith("node:") || builtins.has(path.split("/")[0]!);

async function bundle(entries: string[], format: "esm" | "iife") {
  return build({
    entryPoints: entries.map((e) => join(root, "packages", e)),
    bundle: true,
    platform: "browser",
    format,
    ...(format === "iife" ? { globalName: "ppl" } : {}),
    outdir: join(root, "out", "browser-bundle"),
    write: false,
    metafile: true,
    logLevel: "silent",
    target: "es2022",
  });
}

// One esbuild run for the three entries (they share most of the graph).
let esm: ReturnType<typeof bundle> | undefined;

/** Node built-ins imported by ppl's own files (packages/<name>/src) among `files`, with the importer. */
function builtinImportsOfPpl(meta: Metafile, files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    const input = meta.inputs[file]!;
    const rel = relative(root, join(root, file)).split(sep).join("/");
    if (!/^packages\/[^/]+\/src\//.test(rel)) continue;
    for (const imp of input.imports) {
      if (isBuiltin(imp.original ?? imp.path) || imp.path.startsWith("(disabled):")) found.push(`${rel} imports ${imp.original ?? imp.path}`);
    }
  }
  return found;
}

describe("browser bundles of the main entries", () => {
  for (const entry of ENTRIES) {
    it(`${entry.split("/")[0]} bundles for platform "browser" with no Node built-in in ppl's files`, async () => {
      esm ??= bundle(ENTRIES, "esm");
      const result = await esm;
      expect(result.errors).toEqual([]);
      const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint?.endsWith(entry));
      expect(output, `no output for ${entry}`).toBeDefined();
      const inputs = Object.keys(output!.inputs);
      const pplFiles = inputs.filter((f) => f.includes("packages/"));
      expect(pplFiles.length).toBeGreaterThan(5); // the sources themselves were bundled, not an external
      expect(builtinImportsOfPpl(result.metafile, pplFiles)).toEqual([]);
      // tfjs-node is looked up at run time only: it must not be in the bundle
      expect(inputs.filter((f) => f.includes("tfjs-node"))).toEqual([]);
    });
  }

  it("ready() chooses a backend where there is no `process`, and ppl computes there", async () => {
    const result = await bundle(["ppl-core/src/index.ts"], "iife");
    const code = result.outputFiles[0]!.text;
    const logged: string[] = [];
    const quiet = (...a: unknown[]) => void logged.push(a.map(String).join(" "));
    // A worker-like global scope: the Web APIs tfjs uses, nothing of Node's.
    const scope: Record<string, unknown> = {
      console: { log: quiet, info: quiet, warn: quiet, error: quiet, debug: quiet },
      setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask,
      TextEncoder, TextDecoder, URL, performance,
      fetch: () => Promise.reject(new TypeError("no network in this test")),
    };
    const context = createContext(scope);
    runInContext("globalThis.self = globalThis; globalThis.WorkerGlobalScope = function WorkerGlobalScope() {};", context);
    expect(runInContext("typeof process + ' ' + typeof require + ' ' + typeof Buffer", context)).toBe("undefined undefined undefined");
    runInContext(code, context, { filename: "ppl-core.browser.js" });
    const run = (js: string) => runInContext(js, context) as Promise<unknown>;
    const info = (await run("ppl.ready()")) as { name: string; reason: string };
    // no fetch for the .wasm binary here, so wasm cannot start: the pure-JS cpu backend
    expect(info.name).toBe("cpu");
    expect(info.reason).toBe("tfjs-node and wasm unavailable");
    // the bundle exposes ppl only, no tf: the value 0.5 as a tensor is another Normal's loc
    const lp = (await run("ppl.dist.Normal(1, 2).logProb(ppl.dist.Normal(0.5, 1).loc).data().then((d) => d[0])")) as number;
    // log N(0.5 | 1, 2) = -log(2 sqrt(2 pi)) - (0.5 - 1)^2 / (2 * 4)
    expect(lp).toBeCloseTo(-Math.log(2 * Math.sqrt(2 * Math.PI)) - 0.25 / 8, 5);
  });
});
