// The layering of docs/architecture.md, checked on every import of the
// repository's TypeScript: which package may import which entry of another,
// and, inside ppl-core and ppl-enum, which folder may import which. A file the
// table does not place fails the test: placing it is a deliberate change to
// docs/architecture.md and to LAYERS below, made together.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

/**
 * Each package's layers, bottom first: a file may import files of its own layer
 * or of a layer below, never above. A layer is matched by path prefix (a folder
 * ends in "/") inside the package's src/.
 */
const LAYERS: Record<string, string[][]> = {
  "ppl-core": [
    ["errors.ts", "validation.ts", "rng.ts", "options.ts", "tensor-limit.ts", "tensor-arg.ts", "ops/broadcast-index.ts", "tfjs-setup.ts", "tfjs-setup-browser.ts"],
    ["backend/"],
    ["backend.ts", "wasm-files.ts"],
    ["ops/"],
    ["constraints/"],
    ["distributions/numerics/"],
    ["distributions/base/"],
    ["distributions/"],
    ["params/", "optim/"],
    ["runtime/"],
    ["handlers/"],
    ["jit/"],
    ["infer/"],
    ["worker/"],
    ["index.ts", "internal.ts", "worker.ts", "hmm.ts"],
  ],
  "ppl-enum": [["contract/"], ["enum/", "terms/"], ["elbo/", "discrete/"], ["index.ts"]],
};

/** Which other workspace packages' entries each package (or examples, bench) may import. */
const ALLOWED_ENTRIES: Record<string, RegExp> = {
  "ppl-core": /^$/,
  "ppl-enum": /^ppl-core(\/internal)?$/,
  "ppl-autoguide": /^ppl-core(\/internal)?$/,
  "ppl-hmm": /^(ppl-core|ppl-enum|ppl-autoguide)(\/(?!internal$)[a-z-]+)?$/,
  examples: /^(ppl-core|ppl-enum|ppl-autoguide|ppl-hmm)(\/(?!internal$)[a-z-]+)?$/,
};
const PPL_PACKAGES = /^(ppl-core|ppl-enum|ppl-autoguide|ppl-hmm)(\/.*)?$/;

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

/** The module specifiers of a file's static and dynamic imports and re-exports. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  const patterns = [/\bfrom\s+"([^"]+)"/g, /\bimport\s+"([^"]+)"/g, /\bimport\(\s*"([^"]+)"\s*\)/g];
  for (const pattern of patterns) for (const m of text.matchAll(pattern)) found.push(m[1]!);
  return found;
}

const posix = (path: string) => path.split(sep).join("/");

/** The layer index of `path` (relative to the package's src/), or undefined when no layer holds it. */
function layerOf(pkg: string, path: string): number | undefined {
  const layers = LAYERS[pkg]!;
  const index = layers.findIndex((layer) => layer.some((p) => (p.endsWith("/") ? path.startsWith(p) : path === p)));
  return index < 0 ? undefined : index;
}

const packagesDir = join(root, "packages");
const packageNames = readdirSync(packagesDir).filter((n) => statSync(join(packagesDir, n)).isDirectory());

describe("layers (docs/architecture.md)", () => {
  it("every package names what it may import of the others", () => {
    expect(packageNames.filter((n) => !(n in ALLOWED_ENTRIES))).toEqual([]);
  });

  for (const pkg of packageNames) {
    const src = join(packagesDir, pkg, "src");
    it(`${pkg}/src imports only ${pkg === "ppl-core" ? "no other ppl package" : "the entries its layer allows"}`, () => {
      const bad: string[] = [];
      for (const file of walk(src)) {
        for (const spec of importsOf(file)) {
          if (PPL_PACKAGES.test(spec) && spec.split("/")[0] !== pkg && !ALLOWED_ENTRIES[pkg]!.test(spec)) {
            bad.push(`${posix(relative(root, file))} imports "${spec}"`);
          }
          if (spec.startsWith(".") && !posix(resolve(dirname(file), spec)).startsWith(posix(src))) {
            bad.push(`${posix(relative(root, file))} reaches outside its package with "${spec}"`);
          }
        }
      }
      expect(bad).toEqual([]);
    });
  }

  for (const pkg of Object.keys(LAYERS)) {
    const src = join(packagesDir, pkg, "src");
    it(`${pkg}: each folder imports only its own layer or those below`, () => {
      const unplaced: string[] = [];
      const upward: string[] = [];
      for (const file of walk(src)) {
        const from = posix(relative(src, file));
        const fromLayer = layerOf(pkg, from);
        if (fromLayer === undefined) {
          unplaced.push(from);
          continue;
        }
        for (const spec of importsOf(file)) {
          if (!spec.startsWith(".")) continue;
          const target = posix(relative(src, resolve(dirname(file), spec))).replace(/\.js$/, ".ts");
          const toLayer = layerOf(pkg, target);
          if (toLayer !== undefined && toLayer > fromLayer) upward.push(`${from} (layer ${fromLayer}) imports ${target} (layer ${toLayer})`);
        }
      }
      expect(unplaced, "files no layer of LAYERS holds: place them in docs/architecture.md and here").toEqual([]);
      expect(upward).toEqual([]);
    });
  }

  it("tests import another package by its name, never its sources (its test helpers are shared)", () => {
    const bad: string[] = [];
    for (const pkg of packageNames) {
      const testDir = join(packagesDir, pkg, "test");
      let files: string[] = [];
      try {
        files = walk(testDir);
      } catch {
        continue;
      }
      for (const file of files) {
        for (const spec of importsOf(file)) {
          if (!spec.startsWith(".")) continue;
          const target = posix(relative(packagesDir, resolve(dirname(file), spec)));
          const [owner, folder] = target.split("/");
          if (owner !== pkg && packageNames.includes(owner!) && folder === "src") bad.push(`${posix(relative(root, file))} imports ${target}`);
        }
      }
    }
    expect(bad).toEqual([]);
  });

  it("examples and bench use the packages' public entries", () => {
    const bad: string[] = [];
    for (const dir of ["examples", "bench"]) {
      for (const file of walk(join(root, dir))) {
        for (const spec of importsOf(file)) {
          const where = posix(relative(root, file));
          if (PPL_PACKAGES.test(spec) && (spec.endsWith("/internal") || !ALLOWED_ENTRIES.examples!.test(spec))) {
            bad.push(`${where} imports "${spec}"`);
          }
          if (spec.startsWith(".") && posix(resolve(dirname(file), spec)).includes("/packages/")) {
            bad.push(`${posix(relative(root, file))} imports a package's sources: "${spec}"`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });
});
