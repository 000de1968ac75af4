// Prints the pnpm version the repository pins, from the root package.json's
// "packageManager" ("pnpm@12.21.0", optionally "+sha512.<hash>"), else from
// "devEngines.packageManager" ({ name: "pnpm", version }); prints nothing when
// neither pins pnpm. The one place the version lives is package.json.
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const fromField = /^pnpm@(\d+\.\d+\.\d+[^+]*)/.exec(pkg.packageManager ?? "")?.[1];
const dev = pkg.devEngines?.packageManager;
const fromDevEngines = dev?.name === "pnpm" && /^\d+\.\d+\.\d+/.test(dev.version ?? "") ? dev.version : undefined;
const version = fromField ?? fromDevEngines;
if (version !== undefined) console.log(version);
