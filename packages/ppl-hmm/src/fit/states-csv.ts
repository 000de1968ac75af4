/** states.csv's text: one row per value, `sequence,t,value,state` (t counts the values kept, from 0). */
import type { ReadSignal } from "./read.js";

/** The decoded states of every sequence as CSV text (what ppl-hmm fit writes and the page offers for download). */
export function statesCsv(sig: Pick<ReadSignal, "seqs" | "labels">, paths: readonly ArrayLike<number>[]): string {
  const lines = ["sequence,t,value,state"];
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  sig.seqs.forEach((y, s) => {
    const label = quote(sig.labels[s]!);
    Array.from(paths[s]!).forEach((z, t) => lines.push(`${label},${t},${y[t]},${z}`));
  });
  return lines.join("\n") + "\n";
}
