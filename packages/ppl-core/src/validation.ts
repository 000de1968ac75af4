/**
 * Argument validation of distributions and observed data. On by default;
 * `setValidation(false)` skips the checks that read tensor values, for speed.
 * Structural checks that prevent silently wrong answers are never switched off.
 */
let enabled = true;

export function setValidation(on: boolean): void {
  enabled = on;
}

export function isValidationEnabled(): boolean {
  return enabled;
}
