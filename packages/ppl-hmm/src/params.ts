/** A Gaussian HMM's parameters as plain numbers, relabelling by mean, and their table. */

/** Initial and transition probabilities, each state's mean and emission sd. */
export interface PlainParams {
  /** p(z_0 = k), length K. */
  probsInit: number[];
  /** probsTrans[i][j] = p(z_t = j | z_{t-1} = i). */
  probsTrans: number[][];
  /** Each state's emission mean. */
  locs: number[];
  /** Each state's emission sd (in ppl-hmm's standardised site values: the `scales` site, see fit/model.ts). */
  scales: number[];
}

/** The states relabelled in order of increasing mean (the fix for label switching). */
export function sortByLocs(p: PlainParams): PlainParams {
  const order = p.locs.map((_, k) => k).sort((a, b) => p.locs[a]! - p.locs[b]!);
  return {
    probsInit: order.map((k) => p.probsInit[k]!),
    probsTrans: order.map((i) => order.map((j) => p.probsTrans[i]![j]!)),
    locs: order.map((k) => p.locs[k]!),
    scales: order.map((k) => p.scales[k]!),
  };
}

const f = (x: number, d = 3) => x.toFixed(d);

/** Parameters as a text table, side by side with the truth when known. */
export function paramsTable(learned: PlainParams, truth?: PlainParams, names?: readonly string[]): string {
  const K = learned.locs.length;
  const label = (k: number) => names?.[k] ?? `state ${k}`;
  const lines: string[] = [];
  const header = ["", "pi", "mean", "sd", ...Array.from({ length: K }, (_, j) => `A[·→${j}]`)];
  lines.push(header.map((h) => h.padStart(10)).join(""));
  for (let k = 0; k < K; k++) {
    const cells = (p: PlainParams) => [f(p.probsInit[k]!), f(p.locs[k]!), f(p.scales[k]!), ...p.probsTrans[k]!.map((a) => f(a))];
    lines.push([`${label(k)}`, ...cells(learned)].map((c) => c.padStart(10)).join("") + (truth ? "   learned" : ""));
    if (truth) lines.push(["", ...cells(truth)].map((c) => c.padStart(10)).join("") + "   true");
  }
  return lines.join("\n");
}
