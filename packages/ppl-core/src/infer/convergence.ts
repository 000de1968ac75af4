/**
 * When a loss curve has flattened: the mean of the last `window` losses
 * against the mean of the `window` before them. The change is relative to
 * max(|mean|, 1), so a loss hovering around zero is judged by its absolute
 * change instead of exploding the ratio.
 */
export function relativeLossChange(losses: readonly number[], window: number): number | undefined {
  const n = losses.length;
  if (n < 2 * window) return undefined;
  let recent = 0;
  let before = 0;
  for (let i = n - window; i < n; i++) recent += losses[i]!;
  for (let i = n - 2 * window; i < n - window; i++) before += losses[i]!;
  recent /= window;
  before /= window;
  return Math.abs(before - recent) / Math.max(Math.abs(recent), 1);
}
