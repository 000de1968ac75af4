// Starts a worker_threads worker on a TypeScript module: registers tsx in the
// worker's own thread (a loader given in execArgv does not reach it), then
// imports the module named in workerData.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.module);
