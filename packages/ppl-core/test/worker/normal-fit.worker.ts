// The worker module: serves fitNormal; each step's loss goes to the host.
import { serveWorker } from "ppl-core";
import { type FitInput, fitNormal } from "./normal-fit.js";

export const fitTask = serveWorker((input: FitInput, ctx) => fitNormal(input, (report) => ctx.progress(report)));
