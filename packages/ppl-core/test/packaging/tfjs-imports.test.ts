// ppl's sources import @tensorflow/tfjs-core (and the backends they use), never
// the umbrella @tensorflow/tfjs: the umbrella would put its webgl backend,
// layers, data and converter (~540 KiB minified) into every page that bundles
// ppl (docs/browser.md). The one exception is ppl-core's Node-only setup file,
// which bundlers replace (package.json "browser").
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const ALLOWED = new Set(["packages/ppl-core/src/tfjs-setup.ts"]);

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

// `from "@tensorflow/tfjs"`, `import "@tensorflow/tfjs"` and `import("@tensorflow/tfjs")`, not "@tensorflow/tfjs-core" etc.
const UMBRELLA = /(?:from\s+|import\s*\(?\s*)["']@tensorflow\/tfjs["']/;

describe("tfjs imports in packages/*/src", () => {
  it("no source file imports the umbrella @tensorflow/tfjs (import @tensorflow/tfjs-core instead)", () => {
    const files = readdirSync(join(root, "packages")).flatMap((p) => {
      try {
        return tsFiles(join(root, "packages", p, "src"));
      } catch {
        return [];
      }
    });
    expect(files.length).toBeGreaterThan(100);
    const offenders = files
      .map((f) => relative(root, f).split("\\").join("/"))
      .filter((f) => !ALLOWED.has(f) && UMBRELLA.test(readFileSync(join(root, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the pattern catches each form of the umbrella import and none of tfjs-core's", () => {
    expect(['import * as tf from "@tensorflow/tfjs";', "import type * as tf from '@tensorflow/tfjs';", 'await import("@tensorflow/tfjs")', 'import "@tensorflow/tfjs";']
      .map((l) => UMBRELLA.test(l))).toEqual([true, true, true, true]);
    expect(['import * as tf from "@tensorflow/tfjs-core";', 'import "@tensorflow/tfjs-backend-cpu";'].map((l) => UMBRELLA.test(l))).toEqual([false, false]);
  });
});
