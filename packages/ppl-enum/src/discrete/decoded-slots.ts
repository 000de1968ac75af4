/**
 * Where each enumerated site's decoded value goes: one int32 position in its
 * enumerated support per member of its plates (full plate sizes), all sites
 * packed in one index array, and the support rows those positions pick. The
 * layout is structure only (plates, shapes) plus each support's values, read
 * when the layout is made: a compiled decode (jit-infer-discrete.ts) keeps it
 * with its program, and the recorder guards that read as it guards any.
 */
import * as tf from "@tensorflow/tfjs-core";
import type { SampleSite, Trace } from "ppl-core";
import type { Assignment } from "../contract/backward.js";
import type { Dim } from "../contract/factor.js";
import { plateDim, timeDim, varDim, vectorizedFrames } from "../terms/dims.js";

/** One enumerated site's part of the packed index array, and its support. */
export interface DecodedSlot {
  readonly site: string;
  /** The site's enumerated variable (the backward pass's name for it). */
  readonly variable: Dim;
  /** The site's plate shape (full sizes, 1 where it has no plate) and the axis each of its plates is. */
  readonly shape: readonly number[];
  readonly axisOf: ReadonlyMap<Dim, number>;
  /** Where its indices start in the packed array, and how many (the shape's size). */
  readonly offset: number;
  readonly size: number;
  /** The enumerated support, row-major [K, ...event]. */
  readonly support: tf.TypedArray;
  readonly dtype: tf.DataType;
  readonly eventShape: readonly number[];
}

/** The slots of a trace's parallel-enumerated sites, in trace order. */
export function decodedSlots(tr: Trace): DecodedSlot[] {
  const slots: DecodedSlot[] = [];
  const supports = new Map<tf.Tensor, tf.TypedArray>();
  let offset = 0;
  for (const site of tr.latentSites()) {
    if (site.enumInfo?.kind !== "parallel") continue;
    const slot = slotOf(site, varDim(site.enumInfo.variable.id), offset, supports);
    slots.push(slot);
    offset += slot.size;
  }
  return slots;
}

function slotOf(site: SampleSite, variable: Dim, offset: number, supports: Map<tf.Tensor, tf.TypedArray>): DecodedSlot {
  const frames = vectorizedFrames(site);
  const batchRank = Math.max(0, ...frames.map((f) => -f.dim));
  const shape = new Array<number>(batchRank).fill(1);
  const axisOf = new Map<Dim, number>();
  for (const f of frames) {
    shape[batchRank + f.dim] = f.subsampleSize;
    axisOf.set(f.time === true ? timeDim(f.name) : plateDim(f.name), batchRank + f.dim);
  }
  let support = supports.get(site.value);
  if (support === undefined) supports.set(site.value, (support = site.value.dataSync() as tf.TypedArray));
  return {
    site: site.name, variable, shape, axisOf, offset, size: shape.reduce((x, y) => x * y, 1),
    support, dtype: site.value.dtype, eventShape: site.fn.eventShape,
  };
}

/** The decided variables as support positions, packed slot after slot (a variable nothing decided stays at 0). */
export function writeIndices(slots: readonly DecodedSlot[], decided: ReadonlyMap<Dim, Assignment>, out: Int32Array): void {
  for (const slot of slots) {
    const a = decided.get(slot.variable);
    if (a === undefined) continue;
    const { shape } = slot;
    // which axis of the site's shape each of the assignment's plates is
    const at = a.plates.map((p) => {
      const axis = slot.axisOf.get(p);
      if (axis === undefined) throw new Error(`internal: '${slot.site}' was decoded along ${p}, which is not one of its plates`);
      return axis;
    });
    // the step in the assignment's values of one step along each axis of the site's shape (0 along its other axes)
    const step = new Array<number>(shape.length).fill(0);
    at.forEach((axis, i) => (step[axis]! += a.sizes.slice(i + 1).reduce((x, y) => x * y, 1)));
    const coord = new Array<number>(shape.length).fill(0);
    // the site's entries in row-major order, the assignment's position kept as an odometer turns
    for (let c = 0, flat = 0; c < slot.size; c++) {
      out[slot.offset + c] = a.values[flat]!;
      for (let d = shape.length - 1; d >= 0; d--) {
        flat += step[d]!;
        if (++coord[d]! < shape[d]!) break;
        flat -= step[d]! * shape[d]!;
        coord[d] = 0;
      }
    }
  }
}

/** How many indices the slots pack. */
export function packedSize(slots: readonly DecodedSlot[]): number {
  const last = slots[slots.length - 1];
  return last === undefined ? 0 : last.offset + last.size;
}

/**
 * Each site's decoded value (its plate shape ++ its event shape, the
 * support's dtype): the support rows its indices pick, in JS. Sites decoded
 * to the same value share one tensor: a chain's sites decoded to the same
 * state give one tensor per state, so inferDiscrete's replay derives from it
 * (vindex, a distribution's parameters, their checks) once per state.
 */
export function decodedValues(slots: readonly DecodedSlot[], packed: ArrayLike<number>): Map<string, tf.Tensor> {
  const values = new Map<string, tf.Tensor>();
  // by dtype and shape, the values made so far: a new one is compared element by element (a key of its
  // elements, joined into a string, cost a time-vectorised site's decode as much as the rest of the read)
  const shared = new Map<string, { readonly out: tf.TypedArray; readonly value: tf.Tensor }[]>();
  for (const slot of slots) {
    const { support, size, offset } = slot;
    const E = slot.eventShape.reduce((x, y) => x * y, 1);
    const out = new (support.constructor as new (n: number) => tf.TypedArray)(size * E);
    for (let c = 0; c < size; c++) {
      const row = packed[offset + c]! * E;
      for (let e = 0; e < E; e++) out[c * E + e] = support[row + e]!;
    }
    const shape = [...slot.shape, ...slot.eventShape];
    const key = `${slot.dtype}[${shape.join(",")}]`;
    let made = shared.get(key);
    if (made === undefined) shared.set(key, (made = []));
    let value = made.find((m) => sameElements(m.out, out))?.value;
    if (value === undefined) made.push({ out, value: (value = tf.tensor(out, shape, slot.dtype)) });
    values.set(slot.site, value);
  }
  return values;
}

function sameElements(a: tf.TypedArray, b: tf.TypedArray): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
