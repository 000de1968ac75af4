/**
 * Error classes thrown by ppl. Each carries structured fields so callers and
 * tests can inspect what went wrong without parsing the message.
 */
/** The structured facts an error carries besides its message (see {@link PPLError}). */
export interface PPLErrorFields {
  /** The sample or param site concerned. */
  readonly site?: string;
  /** The plate concerned. */
  readonly plate?: string;
  /** What was expected, in words or as a shape such as `[3, 1]`. */
  readonly expected?: string;
  /** What was found. */
  readonly actual?: string;
}

/**
 * The base class of every error ppl throws on bad input; `name` is the
 * subclass's name. The fields say the same as the message, for code and
 * tests (docs/errors.md).
 *
 * @example
 * try { svi.step(data); } catch (err) {
 *   if (err instanceof PPLShapeError) console.error(err.site, err.expected, err.actual);
 *   else throw err;
 * }
 */
export class PPLError extends Error {
  /** The sample or param site concerned, if any. */
  readonly site: string | undefined;
  /** The plate concerned, if any. */
  readonly plate: string | undefined;
  /** What was expected, if the error says. */
  readonly expected: string | undefined;
  /** What was found, if the error says. */
  readonly actual: string | undefined;
  /**
   * @param message the full explanation, ideally with a fix
   * @param fields `{ site, plate, expected, actual }`
   */
  constructor(message: string, fields: PPLErrorFields = {}) {
    super(message);
    this.name = new.target.name;
    this.site = fields.site;
    this.plate = fields.plate;
    this.expected = fields.expected;
    this.actual = fields.actual;
  }
}

/** A tensor's shape does not fit where it is used. */
export class PPLShapeError extends PPLError {}
/** A value lies outside the support of a distribution or constraint. */
export class PPLSupportError extends PPLError {}
/** The model or guide is structured in a way ppl cannot run. */
export class PPLModelError extends PPLError {}
/** An option, environment variable or argument is invalid. */
export class PPLConfigError extends PPLError {}
/** A loss or log-density became NaN or infinite. */
export class PPLNumericalError extends PPLError {}
/** A request would need a tensor larger than ppl's limit (`setMaxTensorElements`); refused before allocating. */
export class PPLResourceError extends PPLError {}

/** A shape as messages print it: `[3, 1]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/** The candidate closest to `name` by edit distance (for "did you mean ...?"), or undefined if there is none. */
export function nearestName(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance (insertions, deletions, substitutions). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
