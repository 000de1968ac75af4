/**
 * Broadcasting for the fused ops that loop in JS (normalLogProb,
 * dirichletLogProb, ...): where each output element reads each input.
 */

/**
 * For every flat position of `out`, the flat position of an input of `shape`
 * broadcast to it; null when the input already has the output's size, so
 * the position is the same (no index array for the common case).
 */
export function broadcastIndex(shape: readonly number[], out: readonly number[]): Int32Array | null {
  const n = out.reduce((a, b) => a * b, 1);
  if (shape.reduce((a, b) => a * b, 1) === n) return null;
  const { dims, strides } = collapseBroadcast(out, [shape]);
  return offsets(dims, strides[0]!);
}

/**
 * Broadcast loops as rows: the output is `rows` runs of `inner` elements
 * (the last merged dim); input i's element for row r, column c is at
 * base[i][r] + c * step[i]. Loops over this form need no per-element index
 * arrays: rows are few and long after merging, or the row offsets are small.
 */
export interface BroadcastRows {
  rows: number;
  inner: number;
  base: Int32Array[];
  step: number[];
}

export function broadcastRows(out: readonly number[], shapes: readonly (readonly number[])[]): BroadcastRows {
  const { dims, strides } = collapseBroadcast(out, shapes);
  const outer = dims.slice(0, -1);
  return {
    rows: outer.reduce((a, b) => a * b, 1),
    inner: dims[dims.length - 1]!,
    base: strides.map((st) => offsets(outer, st)),
    step: strides.map((st) => st[st.length - 1]!),
  };
}

/**
 * broadcastRows for an op made once and run many times (a compiled loss
 * replays it every step): worked out again only when the shapes differ from
 * the last call's, so a replay allocates no row offsets.
 */
export function rowsMemo(): (out: readonly number[], shapes: readonly (readonly number[])[]) => BroadcastRows {
  let last: { out: readonly number[]; shapes: readonly (readonly number[])[]; rows: BroadcastRows } | undefined;
  return (out, shapes) => {
    if (last === undefined || !sameShape(last.out, out) || last.shapes.length !== shapes.length || !last.shapes.every((s, i) => sameShape(s, shapes[i]!))) {
      last = { out: [...out], shapes: shapes.map((s) => [...s]), rows: broadcastRows(out, shapes) };
    }
    return last.rows;
  };
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Flat offsets of every position of `dims` (row-major) under the given strides. */
function offsets(dims: readonly number[], strides: readonly number[]): Int32Array {
  // built one dim at a time: positions for the first d dims, then each extended by the next dim
  let idx = new Int32Array(1);
  for (let d = 0; d < dims.length; d++) {
    const size = dims[d]!;
    const step = strides[d]!;
    const next = new Int32Array(idx.length * size);
    for (let p = 0; p < idx.length; p++) {
      const b = idx[p]!;
      for (let c = 0; c < size; c++) next[p * size + c] = b + c * step;
    }
    idx = next;
  }
  return idx;
}

/**
 * The output shape with adjacent dims merged wherever every input is laid
 * out alike across them, and each input's element stride per merged dim
 * (0 along a broadcast dim). A Normal emission [S, T, 1] against locs [K]
 * becomes dims [S*T, K] with strides [1, 0] and [0, 1], so the loops over
 * it are two plain nested loops.
 */
export function collapseBroadcast(out: readonly number[], shapes: readonly (readonly number[])[]): { dims: number[]; strides: number[][] } {
  const rank = out.length;
  const full = shapes.map((shape) => {
    const st = new Array<number>(rank).fill(0);
    let acc = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      st[rank - shape.length + i] = shape[i] === 1 ? 0 : acc;
      acc *= shape[i]!;
    }
    return st;
  });
  const dims: number[] = [];
  const strides: number[][] = shapes.map(() => []);
  for (let d = 0; d < rank; d++) {
    const size = out[d]!;
    if (size === 1) continue;
    const last = dims.length - 1;
    // dim d joins the previous merged dim if, for every input, stepping the previous one equals stepping d size times
    const joins = last >= 0 && full.every((st, i) => strides[i]![last] === st[d]! * size);
    if (joins) {
      dims[last] = dims[last]! * size;
      full.forEach((st, i) => (strides[i]![last] = st[d]!));
    } else {
      dims.push(size);
      full.forEach((st, i) => strides[i]!.push(st[d]!));
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    strides.forEach((s) => s.push(0));
  }
  return { dims, strides };
}
