#!/usr/bin/env node
// ppl-hmm's executable: runs the compiled CLI in dist/ (no TypeScript is compiled at run time).
// Inside the ppl repository the ppl packages export their TypeScript sources unless the
// "ppl-compiled" condition is set; there a resolve hook adds it, so they load from their dist/ too.
import { existsSync } from "node:fs";
import { register } from "node:module";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write("ppl-hmm: error: the package is not built (no dist/cli.js); in the ppl repository run `pnpm typecheck` (tsc -b) first\n");
  process.exit(1);
}
let core;
try {
  core = import.meta.resolve("ppl-core");
} catch {
  process.stderr.write("ppl-hmm: error: ppl-core is not installed; install ppl-hmm with its peers: npm install ppl-hmm ppl-core ppl-enum ppl-autoguide @tensorflow/tfjs @tensorflow/tfjs-backend-wasm\n");
  process.exit(1);
}
if (core.endsWith(".ts")) register(new URL("../dist/workspace-hooks.js", import.meta.url));
const { runProcess } = await import(cli.href);
await runProcess(process.argv.slice(2));
