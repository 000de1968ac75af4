/** The page's worker: reads and fits with ppl-hmm's code (fit-task.ts); the wasm files are in dist/wasm/. */
import { serveWorker } from "ppl-core";
import { pageJob } from "./fit-task.js";

export const pageTask = serveWorker(pageJob, { ready: { wasmPaths: "wasm/" } });
