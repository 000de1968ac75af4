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

let checking = 0;

/**
 * Run a validation check (it reads tensor values to decide whether to throw).
 * A compiled loss records the kernels a step runs and replays them without
 * the checks; a read inside `validationCheck` is one the replay may skip, so
 * the recorder does not take it for a read that steers the computation.
 */
export function validationCheck<T>(check: () => T): T {
  checking++;
  try {
    return check();
  } finally {
    checking--;
  }
}

/** Whether a validation check is running (see {@link validationCheck}). */
export function inValidationCheck(): boolean {
  return checking > 0;
}
