// What each published entry of the workspace's packages exports: the entries
// come from each package.json's "exports", the names from the TypeScript
// checker on the entry's source (so type-only exports count), and which of
// them exist at run time from importing the entry.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");

/** One published entry: its import specifier ("ppl-core/internal") and its source file. */
export interface Entry {
  specifier: string;
  source: string;
}

/** Every entry that a package.json of packages/ publishes, sorted by specifier. */
export function publishedEntries(): Entry[] {
  const packagesDir = join(root, "packages");
  const entries: Entry[] = [];
  for (const dir of readdirSync(packagesDir)) {
    const manifest = join(packagesDir, dir, "package.json");
    if (!statSync(join(packagesDir, dir)).isDirectory()) continue;
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { name: string; exports: Record<string, { types: string }> };
    for (const [subpath, conditions] of Object.entries(pkg.exports)) {
      entries.push({ specifier: pkg.name + subpath.slice(1), source: join(packagesDir, dir, conditions.types) });
    }
  }
  return entries.sort((a, b) => (a.specifier < b.specifier ? -1 : 1));
}

/**
 * The names each entry's source exports, by entry source file, as the checker
 * sees them (values and types alike). A namespace re-export (`export * as ns`)
 * lists its members too, as "ns.member", since they are as public as the rest.
 */
export function declaredExports(entries: Entry[]): Map<string, string[]> {
  const configPath = join(root, "tsconfig.base.json");
  const config = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, root);
  const program = ts.createProgram(entries.map((e) => e.source), { ...config.options, noEmit: true, composite: false });
  const checker = program.getTypeChecker();
  const out = new Map<string, string[]>();
  for (const entry of entries) {
    const file = program.getSourceFile(entry.source);
    const moduleSymbol = file && checker.getSymbolAtLocation(file);
    if (!moduleSymbol) throw new Error(`the checker found no module at ${entry.source}`);
    const names: string[] = [];
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      names.push(symbol.name);
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      if (target.flags & ts.SymbolFlags.ValueModule && target.valueDeclaration && ts.isSourceFile(target.valueDeclaration)) {
        for (const member of checker.getExportsOfModule(target)) names.push(`${symbol.name}.${member.name}`);
      }
    }
    out.set(entry.source, names);
  }
  return out;
}

/**
 * An entry's face as list lines, sorted: a name that exists at run time as
 * itself ("sample"), a type-only one as "type Msg", a namespace's member as
 * "constraints.positive" (or "type distributions.ArgSpec").
 */
export function faceLines(declared: string[], runtime: Record<string, unknown>): string[] {
  const isRuntime = (name: string): boolean => {
    const [head, member] = name.split(".") as [string, string | undefined];
    if (!(head in runtime)) return false;
    return member === undefined || member in (runtime[head] as Record<string, unknown>);
  };
  const lines = declared.map((name) => (isRuntime(name) ? name : `type ${name}`));
  // A run-time name the checker does not see (a side effect's global, say) is public too.
  for (const name of Object.keys(runtime)) if (!declared.includes(name)) lines.push(name);
  return lines.sort(byName);
}

/** Sorted by the name, "type " aside, in code-point order (the same on every machine). */
function byName(a: string, b: string): number {
  const [x, y] = [a.replace(/^type /, ""), b.replace(/^type /, "")];
  return x < y ? -1 : x > y ? 1 : 0;
}
