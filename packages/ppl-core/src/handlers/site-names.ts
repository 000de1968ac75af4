/**
 * The one check of values given by site name. condition, substitute, replay
 * and the init strategies each take values keyed by name; a name that no site
 * of the model has (a misspelling) would otherwise be a value silently unused.
 * The check runs when a run of the model ends, against every site the run
 * reached: those the handler saw, and those a block inside it hid (the
 * handler cannot act on those, but the model has them).
 */
import { PPLConfigError, PPLModelError, nearestName } from "../errors.js";
import { withHandler } from "../runtime/handler.js";
import type { Model, Msg } from "../runtime/messages.js";

/** The kinds of site a value may be given for. */
export type SiteKind = "sample" | "param";

/** How a caller of {@link RunSites.check} takes its values. */
export interface GivenNames {
  /** Who takes them, for messages: `condition`, `AutoDelta: initToValue`, ... */
  readonly who: string;
  /** The kind of site the values are for (undefined: either kind, as block's lists). */
  readonly kind: SiteKind | undefined;
  /** How the message introduces a name (default `a value is given for`). */
  readonly subject?: string;
  /** Whether a site hidden from the caller by a block inside it is fine (a dict shared by guides of one model). */
  readonly hiddenOk: boolean;
  /** What to use instead for a site of the other kind. */
  readonly otherKindFix: string;
}

/** The sites one run reached, noted by a handler wrapping the model. */
export class RunSites {
  private readonly seen = new Map<string, { readonly kind: SiteKind; readonly hidden: boolean }>();

  /** Note a message the handler processes (`hidden` false) or one a block inside it hid. */
  note(msg: Msg, hidden = false): void {
    if (msg.type === "plate") return;
    const before = this.seen.get(msg.name);
    if (before === undefined || (before.hidden && !hidden)) this.seen.set(msg.name, { kind: msg.type, hidden });
  }

  /** Refuse the first name of `names` that is not a site of `spec.kind` the caller could act on, naming the nearest site. */
  check(names: Iterable<string>, spec: GivenNames): void {
    for (const name of names) {
      const site = this.seen.get(name);
      if (site !== undefined && (spec.kind ?? site.kind) === site.kind && (!site.hidden || spec.hiddenOk)) continue;
      throw this.refusal(name, site, spec);
    }
  }

  private refusal(name: string, site: { kind: SiteKind; hidden: boolean } | undefined, spec: GivenNames): PPLModelError {
    const head = `${spec.who}: ${spec.subject ?? "a value is given for"} site '${name}', but `;
    if (site !== undefined && spec.kind !== undefined && site.kind !== spec.kind) {
      return new PPLModelError(`${head}'${name}' is a ${site.kind} site of the model, not a ${spec.kind} site.\nFix: ${spec.otherKindFix}`, {
        site: name, expected: `a ${spec.kind} site`, actual: `a ${site.kind} site`,
      });
    }
    if (site !== undefined) {
      return new PPLModelError(
        `${head}a block inside ${spec.who} hides that site from it, so the value would not be used.\n` +
          `Fix: apply ${spec.who} to the model inside the block, or expose '${name}' from the block`,
        { site: name, expected: "a site the block exposes", actual: "a hidden site" },
      );
    }
    const kind = spec.kind === undefined ? "" : `${spec.kind} `;
    const sites = [...this.seen].filter(([, s]) => (spec.kind ?? s.kind) === s.kind).map(([n]) => n);
    const near = nearestName(name, sites);
    return new PPLModelError(
      `${head}the model has no ${kind}site of that name` +
        (near === undefined
          ? ` (it has no ${kind}sites)`
          : `; did you mean '${near}'? Its ${kind}sites: ${sites.slice(0, 12).join(", ")}${sites.length > 12 ? ", ..." : ""}`),
      { site: name, expected: near ?? `a ${kind}site of the model`, actual: name },
    );
  }
}

/** The values a handler takes by site name must be an object of them: `condition(model, null)` would fail inside the run. */
export function requireValuesByName(who: string, data: unknown): void {
  if (data !== null && typeof data === "object" && !Array.isArray(data) && !(Symbol.iterator in data)) return;
  const got = data === null || data === undefined ? String(data) : Array.isArray(data) ? "an array" : typeof data === "object" ? `an object (${data.constructor?.name ?? "Object"})` : `a ${typeof data}`;
  throw new PPLConfigError(`${who}: the values must be an object mapping site names to values, e.g. { mu: 0.5 }, got ${got}`, {
    expected: "an object of values by site name", actual: got,
  });
}

/**
 * `model` under a handler that acts on sites by name (condition, substitute,
 * replay, block, the init strategies): `process` sees each message once it is
 * noted, and when a run ends the names the handler was given (`names()`) are
 * checked against every site the run reached, `spec` saying how.
 */
export function withNamesChecked<A extends unknown[], R>(
  model: Model<A, R>,
  names: () => Iterable<string>,
  spec: GivenNames,
  process: (msg: Msg) => void,
  who?: string,
): Model<A, R> {
  return withHandler(model, () => {
    const sites = new RunSites();
    return {
      hidden: (msg) => sites.note(msg, true),
      process(msg) {
        sites.note(msg);
        process(msg);
      },
      end: () => sites.check(names(), spec),
    };
  }, who);
}
