/**
 * Error classes thrown by ppl. Each carries structured fields so callers and
 * tests can inspect what went wrong without parsing the message.
 */
export interface PPLErrorFields {
  readonly site?: string;
  readonly plate?: string;
  readonly expected?: string;
  readonly actual?: string;
}

export class PPLError extends Error {
  readonly site: string | undefined;
  readonly plate: string | undefined;
  readonly expected: string | undefined;
  readonly actual: string | undefined;
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

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}
