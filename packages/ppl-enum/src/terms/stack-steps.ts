/**
 * The tensors of a markov loop's roles (markov-loops.ts), stacked along time
 * with as few ops as the way they were scored allows. A site's log-density
 * is either its own tensor or one row of a batch (batched-log-probs.ts: the
 * emissions of one parity of the recycled enumeration dim are scored at
 * once, so step t is row ⌊t/k⌋ of batch t mod k): such rows are the batches
 * woven together, one stack and a reshape. Otherwise the steps hold a few
 * distinct tensors (a transition, one per parity), spread over the steps in
 * one op; a role whose every step holds one tensor stays that tensor, with
 * no time dim (the chain kernel's shared transition). Plates deeper than the
 * loop's are summed out of each piece (or batch) before it is stacked.
 */
import * as tf from "@tensorflow/tfjs-core";
import { splitRows } from "ppl-core/internal";
import { plateSum } from "../contract/plate-sum.js";
import { spreadPieces } from "../contract/spread-steps.js";
import type { LoopRole } from "./markov-loops.js";

/** A collected log-density: the site's own tensor, or row `row` of a batch [rows, ...]; squeezed to the factor's sizes. */
export type LogProbSource = { readonly tensor: tf.Tensor } | { readonly batch: tf.Tensor; readonly row: number };

/** The rows of each batch, split off once per collection (a call's own, never module-level). */
export class BatchRows {
  private readonly split = new Map<tf.Tensor, tf.Tensor[]>();

  tensor(s: LogProbSource): tf.Tensor {
    if ("tensor" in s) return s.tensor;
    let rows = this.split.get(s.batch);
    // splitRows, not tf.unstack: tfjs's Unpack gradient fails when some rows have no gradient (it stacks undefined)
    if (rows === undefined) this.split.set(s.batch, (rows = splitRows(s.batch)));
    return rows[s.row]!;
  }
}

/** The role's factors stacked along time ([steps, ...role.dims]), or one tensor on role.dims when every step holds it. */
export function stackRole(role: LoopRole, sources: readonly LogProbSource[], rows: BatchRows): { data: tf.Tensor; timed: boolean } {
  const woven = role.perms.every((p) => p === null) ? weave(sources, role.sumAxes) : undefined;
  if (woven !== undefined) return { data: woven, timed: true };
  // each distinct (tensor, transpose) once: a transition is one tensor per parity, shared by its steps
  const pieces: tf.Tensor[] = [];
  const index = new Map<string, number>();
  const at = sources.map((s, k) => {
    const x = rows.tensor(s);
    const perm = role.perms[k];
    const key = `${x.id}:${perm?.join(",") ?? ""}`;
    let i = index.get(key);
    if (i === undefined) {
      index.set(key, (i = pieces.length));
      const ordered = perm === null || perm === undefined ? x : x.transpose([...perm]);
      pieces.push(plateSum(ordered, role.sumAxes));
    }
    return i;
  });
  if (pieces.length === 1) return { data: pieces[0]!, timed: false };
  return { data: spreadPieces(pieces, at), timed: true };
}

/** Step i is row ⌊i/k⌋ of batch i mod k, each batch exactly that long: the batches (summed over `sumAxes` of a row) woven along time. */
function weave(sources: readonly LogProbSource[], sumAxes: readonly number[]): tf.Tensor | undefined {
  const n = sources.length;
  const batches: tf.Tensor[] = [];
  for (const s of sources) {
    if (!("batch" in s)) return undefined;
    if (batches.includes(s.batch)) break;
    batches.push(s.batch);
  }
  const k = batches.length;
  if (n % k !== 0 || batches.some((b) => b.shape[0] !== n / k)) return undefined;
  for (let i = 0; i < n; i++) {
    const s = sources[i] as { batch: tf.Tensor; row: number };
    if (s.batch !== batches[i % k] || s.row !== Math.floor(i / k)) return undefined;
  }
  const summed = sumAxes.length === 0 ? batches : batches.map((b) => plateSum(b, sumAxes.map((a) => a + 1)));
  if (k === 1) return summed[0]!;
  // stacked first and moved: tfjs-wasm's Pack along axis 1 copies each batch's rows one view at a time (160 views
  // per call for a 160-step loop), along axis 0 one view per batch (docs/performance.md, issue 25)
  const rest = summed[0]!.shape.slice(1);
  const perm = [1, 0, ...rest.map((_, i) => i + 2)];
  return tf.transpose(tf.stack(summed, 0), perm).reshape([n, ...rest]);
}
