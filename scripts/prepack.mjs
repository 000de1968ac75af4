// A package's `prepack`: `pnpm pack` and `pnpm publish` always ship a fresh
// build. `tsc -b` brings dist/ up to date (a no-op when `pnpm typecheck` has
// just built it), then every file in dist/ whose source no longer exists is
// removed, so a deleted or renamed module cannot linger in the tarball.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";

const pkgDir = process.cwd();
const tsc = createRequire(join(pkgDir, "package.json")).resolve("typescript/bin/tsc");
const r = spawnSync(process.execPath, [tsc, "-b", pkgDir], { stdio: "inherit" });
if (r.status !== 0) {
  console.error(`prepack: tsc -b failed in ${pkgDir}`);
  process.exit(r.status ?? 1);
}

const OUTPUT = /\.(d\.ts\.map|d\.ts|js\.map|js)$/;
const dist = join(pkgDir, "dist");
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !OUTPUT.test(entry.name)) continue;
  const file = join(entry.parentPath, entry.name);
  const source = join(pkgDir, "src", relative(dist, file).replace(OUTPUT, ".ts"));
  if (!existsSync(source)) {
    rmSync(file);
    console.log(`prepack: removed ${relative(pkgDir, file)} (its source is gone)`);
  }
}
