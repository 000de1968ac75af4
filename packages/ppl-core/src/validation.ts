/**
 * Argument validation of distributions and observed data. On by default;
 * `setValidation(false)` skips the checks that read tensor values, for speed.
 * Structural checks that prevent silently wrong answers are never switched off.
 */
let enabled = true;

/**
 * Switch argument validation on or off (Pyro's `pyro.enable_validation`).
 * Off skips the checks that read tensor values (parameter supports, observed
 * values in the support), which the benchmark does for speed.
 *
 * @example
 * setValidation(false); // after the model is known to be right
 */
export function setValidation(on: boolean): void {
  enabled = on;
}

/** Whether argument validation is on (the default). */
export function isValidationEnabled(): boolean {
  return enabled;
}
