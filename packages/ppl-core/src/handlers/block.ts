import { z } from "zod";
import { parseOptions } from "../optim/adam.js";
import { withHandler } from "../runtime/handler.js";
import type { Model, Msg } from "../runtime/messages.js";

const blockOptions = z.object({
  expose: z.array(z.string()).optional(),
  hide: z.array(z.string()).optional(),
  exposeTypes: z.array(z.enum(["sample", "param"])).optional(),
  hideTypes: z.array(z.enum(["sample", "param"])).optional(),
  hideFn: z.custom<(msg: Msg) => boolean>((v) => typeof v === "function").optional(),
}).strict();

export type BlockOptions = z.infer<typeof blockOptions>;

/**
 * Hide sites from outer handlers: they are answered inside the block and never
 * reach a trace or replay outside it. With no options, everything is hidden.
 * `expose` hides every site except the named ones; `hide` hides only those.
 */
export function block<A extends unknown[], R>(model: Model<A, R>, options: BlockOptions = {}): Model<A, R> {
  const parsed = parseOptions("block", blockOptions, options);
  const hides = makeHideFn(parsed);
  return withHandler(model, () => ({
    process(msg) {
      if (msg.type !== "plate" && hides(msg)) msg.stop = true;
    },
  }));
}

function makeHideFn(o: BlockOptions): (msg: Msg) => boolean {
  if (o.hideFn) return o.hideFn;
  if (o.expose !== undefined || o.exposeTypes !== undefined) {
    const names = new Set(o.expose ?? []);
    const types = new Set<string>(o.exposeTypes ?? []);
    return (msg) => !(names.has(msg.name) || types.has(msg.type));
  }
  if (o.hide !== undefined || o.hideTypes !== undefined) {
    const names = new Set(o.hide ?? []);
    const types = new Set<string>(o.hideTypes ?? []);
    return (msg) => names.has(msg.name) || types.has(msg.type);
  }
  return () => true;
}
