/**
 * states.csv's text: one row per value kept, `sequence,t,value,state` (t
 * counts the values kept, from 0), with the time column's cell after `t`
 * when --time named one. In blocks, so a long series is written without
 * becoming one string (the page joins them).
 */
import type { ReadSignal } from "./read.js";

const quote = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);

/** states.csv in blocks of about 64 KiB. */
export function* statesCsvBlocks(sig: Pick<ReadSignal, "seqs" | "labels" | "times" | "timeName">, paths: readonly ArrayLike<number>[]): Generator<string> {
  let block = `sequence,t${sig.timeName === undefined ? "" : `,${quote(sig.timeName)}`},value,state\n`;
  for (let s = 0; s < sig.seqs.length; s++) {
    const y = sig.seqs[s]!;
    const label = quote(sig.labels[s]!);
    const times = sig.times?.[s];
    const path = paths[s]!;
    for (let t = 0; t < y.length; t++) {
      block += `${label},${t}${times ? `,${quote(times[t]!)}` : ""},${y[t]},${path[t]}\n`;
      if (block.length > 1 << 16) {
        yield block;
        block = "";
      }
    }
  }
  yield block;
}

/** The decoded states of every sequence as CSV text (what ppl-hmm fit writes and the page offers for download). */
export function statesCsv(sig: Pick<ReadSignal, "seqs" | "labels" | "times" | "timeName">, paths: readonly ArrayLike<number>[]): string {
  return [...statesCsvBlocks(sig, paths)].join("");
}
