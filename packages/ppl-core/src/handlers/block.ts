import * as z from "zod/mini";
import { PPLConfigError } from "../errors.js";
import { parseOptions } from "../options.js";
import { withNamesChecked } from "./site-names.js";
import type { Model, ParamMsg, SampleMsg } from "../runtime/messages.js";

/** A site a block may hide (plate queries always pass: they carry no value). */
export type BlockSiteMsg = SampleMsg | ParamMsg;

const siteFn = z.custom<(msg: BlockSiteMsg) => boolean>((v) => typeof v === "function", "a function (msg) => boolean");

const blockOptions = z.strictObject({
  /** Hide every site except these names. */
  expose: z.optional(z.array(z.string())),
  /** Hide only these names. */
  hide: z.optional(z.array(z.string())),
  /** Hide every site except those of these kinds. */
  exposeTypes: z.optional(z.array(z.enum(["sample", "param"]))),
  /** Hide only sites of these kinds. */
  hideTypes: z.optional(z.array(z.enum(["sample", "param"]))),
  /** Hide a site when this returns true (excludes every other option; Pyro's `hide_fn`). */
  hideFn: z.optional(siteFn),
  /** Hide a site unless this returns true (excludes every other option; Pyro's `expose_fn`). */
  exposeFn: z.optional(siteFn),
});

/**
 * Options of {@link block}: `expose`/`exposeTypes` (hide all but these),
 * `hide`/`hideTypes` (hide only these), or one of `hideFn`/`exposeFn`.
 */
export type BlockOptions = z.infer<typeof blockOptions>;

/**
 * Hide sites from outer handlers: they are answered inside the block and never
 * reach a trace or replay outside it. With no options, everything is hidden.
 * `expose` / `exposeTypes` hide every site except those; `hide` / `hideTypes`
 * hide only those (both kinds may be combined when they do not overlap, as in
 * Pyro). `hideFn` or `exposeFn` decide per message instead, and exclude every
 * other option (Pyro's `poutine.block`). A name in `expose` or `hide` that no
 * site of the run has is an error naming the nearest site, when the run ends.
 *
 * @example
 * // the autoguide sees the continuous globals only; z is enumerated in the model
 * const guide = new AutoDelta(block(model, { expose: ["locs", "scales"] }));
 * const noZ = block(model, { hide: ["z"] });
 */
export function block<A extends unknown[], R>(model: Model<A, R>, options: BlockOptions = {}): Model<A, R> {
  const parsed = parseOptions("block", blockOptions, options);
  const hides = makeHideFn(parsed);
  const names = [...(parsed.expose ?? []), ...(parsed.hide ?? [])];
  // a name in expose or hide that no site has (a misspelling) would hide or expose nothing silently
  const checked = { who: "block", kind: undefined, subject: "expose or hide names", hiddenOk: true, otherKindFix: "" } as const;
  return withNamesChecked(model, () => names, checked, (msg) => {
    if (msg.type !== "plate" && hides(msg)) msg.stop = true;
  }, "block");
}

function conflict(message: string, actual: string): PPLConfigError {
  return new PPLConfigError(`block: ${message}`, {
    expected: "one of hideFn, exposeFn, or the lists expose/hide/exposeTypes/hideTypes",
    actual,
  });
}

function makeHideFn(o: BlockOptions): (msg: BlockSiteMsg) => boolean {
  const lists = (["expose", "hide", "exposeTypes", "hideTypes"] as const).filter((k) => o[k] !== undefined);
  if (o.hideFn !== undefined && o.exposeFn !== undefined) {
    throw conflict("give only one of hideFn or exposeFn (each decides every site on its own)", "hideFn, exposeFn");
  }
  const fnKey = o.hideFn !== undefined ? "hideFn" : o.exposeFn !== undefined ? "exposeFn" : undefined;
  if (fnKey !== undefined && lists.length > 0) {
    throw conflict(`${fnKey} decides every site on its own, so it cannot be combined with ${lists.join(", ")}`, [fnKey, ...lists].join(", "));
  }
  if (o.hideFn !== undefined) return o.hideFn;
  const exposeFn = o.exposeFn;
  if (exposeFn !== undefined) return (msg) => !exposeFn(msg);

  const hide = new Set(o.hide ?? []);
  const expose = new Set(o.expose ?? []);
  const hideTypes = new Set<string>(o.hideTypes ?? []);
  const exposeTypes = new Set<string>(o.exposeTypes ?? []);
  const both = [...hide].filter((n) => expose.has(n));
  if (both.length > 0) throw conflict(`cannot both hide and expose site(s) ${both.map((n) => `'${n}'`).join(", ")}`, both.join(", "));
  const bothTypes = [...hideTypes].filter((t) => exposeTypes.has(t));
  if (bothTypes.length > 0) throw conflict(`cannot both hide and expose type(s) ${bothTypes.join(", ")}`, bothTypes.join(", "));
  // Pyro's default: hide everything, unless only `hide` lists were given; an expose list always hides the rest
  const hideRest = o.expose !== undefined || o.exposeTypes !== undefined || (o.hide === undefined && o.hideTypes === undefined);
  return (msg) => hide.has(msg.name) || hideTypes.has(msg.type) || (hideRest && !expose.has(msg.name) && !exposeTypes.has(msg.type));
}
