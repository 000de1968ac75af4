// A package's `prepack`: `pnpm pack` and `pnpm publish` always ship a fresh
// build. dist/ is removed first so a file whose source was deleted or renamed
// cannot linger in the tarball; `tsc -b` then rebuilds this package (and any
// referenced workspace package that is out of date).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const pkgDir = process.cwd();
rmSync(join(pkgDir, "dist"), { recursive: true, force: true });
const tsc = createRequire(join(pkgDir, "package.json")).resolve("typescript/bin/tsc");
const r = spawnSync(process.execPath, [tsc, "-b", pkgDir], { stdio: "inherit" });
if (r.status !== 0) {
  console.error(`prepack: tsc -b failed in ${pkgDir}`);
  process.exit(r.status ?? 1);
}
