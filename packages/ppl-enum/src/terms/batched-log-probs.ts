/**
 * Sites that a distribution's batching hook says may be scored together (a
 * markov chain's emissions: every step of one parity builds its distribution
 * from the same memoised parameters, e.g. probs_y[x]) get their log-densities
 * from ONE `logProbBatched` call on their stacked values, masked with their
 * stacked masks, squeezed to the dims of size > 1, one row per site (a
 * markov loop stacks them back along time without splitting them:
 * stack-steps.ts). One op, one read of the parameters and one gradient for
 * them, instead of one per step and a sum of as many gradients. Which sites
 * group is the distribution's word alone (`batchKey`): nothing here knows a
 * family.
 */
import * as tf from "@tensorflow/tfjs-core";
import { broadcastShapes, customGradient, scaleAndMask } from "ppl-core/internal";
import type { SampleSite, Trace } from "ppl-core";

export interface BatchedLogProb {
  /** The site's full (masked) log-prob shape. */
  readonly shape: readonly number[];
  /** Its masked log-prob with the size-1 dims dropped is row `row` of `batch`. */
  readonly batch: tf.Tensor;
  readonly row: number;
}

/** A trie over key elements (Map keys compare as ===): the sites at a node share every element on its path. */
interface Node {
  readonly next: Map<unknown, Node>;
  sites?: SampleSite[];
}

/**
 * The batched log-probs of the trace's groups of two or more sites. Left out
 * (scored one by one): enumerated sites (their value is their own support,
 * which the family indexes without a gather, and the ELBO leaves it
 * unmasked), fully masked sites, distributions without a key, and groups
 * whose stacked form would pass the rank wasm computes correctly.
 */
export function batchedLogProbs(trace: Trace): Map<string, BatchedLogProb> {
  const root: Node = { next: new Map() };
  const groups: SampleSite[][] = [];
  for (const site of trace.sampleSites()) {
    if (site.role !== "sample" || site.enumInfo !== undefined || site.mask === false) continue;
    const key = site.fn.batchKey();
    if (key === undefined || !broadcasts(site)) continue;
    const v = site.value;
    const mask = site.mask === true ? "unmasked" : `${site.mask.dtype}[${site.mask.shape.join(",")}]`;
    let node = root;
    for (const k of [...key, `${v.dtype}[${v.shape.join(",")}]`, mask, site.isObserved]) {
      let child = node.next.get(k);
      if (child === undefined) node.next.set(k, (child = { next: new Map() }));
      node = child;
    }
    if (node.sites === undefined) groups.push((node.sites = []));
    node.sites.push(site);
  }
  const out = new Map<string, BatchedLogProb>();
  for (const list of groups) if (list.length > 1) batch(list, out);
  return out;
}

/** Whether the site's value broadcasts against its batch shape. */
function broadcasts(site: SampleSite): boolean {
  const v = site.value;
  try {
    broadcastShapes([v.shape.slice(0, v.rank - site.fn.eventShape.length), site.fn.batchShape]);
    return true;
  } catch {
    // a shape error: left to the per-site path, which reports it with the site's name
    return false;
  }
}

function batch(list: readonly SampleSite[], out: Map<string, BatchedLogProb>): void {
  const n = list.length;
  // on the tape: an observed or conditioned value may be a tensor the user differentiates
  const values = tf.stack(list.map((s) => s.value));
  let lp: tf.Tensor;
  try {
    lp = list[0]!.fn.logProbBatched(values);
  } catch {
    // left to the per-site path, which reports the error with the site's name
    return;
  }
  const mask = list[0]!.mask;
  if (mask !== true && mask !== false) {
    const masks = stackData(list.map((s) => s.mask as tf.Tensor));
    const rank = Math.max(lp.rank - 1, mask.rank);
    const pad = (x: tf.Tensor) => (x.rank - 1 === rank ? x : x.reshape([n, ...new Array<number>(rank - x.rank + 1).fill(1), ...x.shape.slice(1)]));
    lp = scaleAndMask(pad(lp), 1, pad(masks));
  }
  const shape = lp.shape.slice(1);
  const squeezed = lp.reshape([n, ...shape.filter((s) => s !== 1)]);
  list.forEach((s, row) => out.set(s.name, { shape, batch: squeezed, row }));
}

/**
 * Masks (bool, never differentiated) copied into one tensor in JS, outside the tape (tf.stack would keep a
 * copy of each for its backward pass). The copy is one op: a compiled loss replays it on each call's masks,
 * where a read of them at the top level would refuse the recording (a subsampled batch's masks depend on its
 * draw).
 */
function stackData(values: readonly tf.Tensor[]): tf.Tensor {
  const first = values[0]!;
  const shape = [values.length, ...first.shape];
  if (first.dtype === "string" || first.dtype === "complex64") return tf.stack([...values]);
  const op = customGradient<tf.Tensor[]>((inputs) => {
    const data = first.dtype === "int32" ? new Int32Array(first.size * inputs.length)
      : first.dtype === "bool" ? new Uint8Array(first.size * inputs.length)
      : new Float32Array(first.size * inputs.length);
    inputs.forEach((v, i) => data.set(v.dataSync() as ArrayLike<number>, i * first.size));
    return { value: tf.tensor(data, shape, first.dtype), gradFunc: () => inputs.map((v) => tf.zerosLike(v)) };
  });
  return op(...values);
}
