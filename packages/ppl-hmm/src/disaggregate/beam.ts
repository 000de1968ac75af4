/**
 * Beam Viterbi over the household's joint state, one appliance changing per
 * minute: at each minute the B best joint states so far are extended by
 * "nothing changes" or "chain m moves to state j" (1 + Σ (K_m − 1)
 * successors each), scored incrementally (the sums of levels, spreads and
 * stay-probabilities change by one term), merged by joint state and cut back
 * to the B best. Cost T·B·Σ K_m, linear in the number of chains M. Chains
 * switch seldom, so the one-change restriction costs a minute at worst when
 * two switch together, which the per-chain coordinate ascent run after it
 * (approx-map.ts) repairs. Each minute's reading counts `weight` times, as in
 * factorial.ts.
 */
import type { Chain } from "./factorial.js";

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Joint states [M][T] of the best path the beam keeps.
 *
 * @param mains [T], in the chains' units
 * @param chains each chain's start, transitions, levels and spreads
 * @param width B, the joint states kept per minute
 * @param weight how much each minute's reading counts
 * @param noise the meter's own noise sd
 * @example
 * const states = beamViterbi(mains, chains, 64, 1, 0.01); // states[m][t]
 */
export function beamViterbi(mains: ArrayLike<number>, chains: readonly Chain[], width: number, weight: number, noise: number): number[][] {
  const M = chains.length;
  const T = mains.length;
  const B = width;
  const probsInit = chains.map((c) => c.init);
  const locs = chains.map((c) => c.locs);
  const logP = chains.map((c) => c.trans.map((row) => row.map(Math.log)));
  const sq = chains.map((c) => c.scales.map((x) => x * x));
  const sizes = chains.map((c) => c.locs.length);
  const noise2 = noise * noise;
  const emit = (y: number, mean: number, v: number) => -0.5 * weight * (LOG_2PI + Math.log(v) + (y - mean) ** 2 / v);
  // a joint state's key: chain m's state times the product of the earlier chains' sizes
  const pow = sizes.map((_, m) => sizes.slice(0, m).reduce((a, b) => a * b, 1));

  // the beam at every minute: states [T][B][M], parents [T][B]; the current minute's sums
  const states = new Int8Array(T * B * M);
  const parents = new Int32Array(T * B);
  const kept = new Int32Array(T);
  let mean = new Float64Array(B);
  let vari = new Float64Array(B);
  let stay = new Float64Array(B);
  let score = new Float64Array(B);
  let key = new Float64Array(B);
  const C = B * (1 + sizes.reduce((a, K) => a + K - 1, 0));
  const cScore = new Float64Array(C);
  const cParent = new Int32Array(C);
  const cM = new Int32Array(C);
  const cJ = new Int32Array(C);
  const cMean = new Float64Array(C);
  const cVar = new Float64Array(C);
  const cStay = new Float64Array(C);
  const cKey = new Float64Array(C);
  const bestOf = new Map<number, number>();

  /** Keep the best candidate of each joint state, then the `B` best of those as minute t's beam. */
  const select = (n: number, t: number) => {
    bestOf.clear();
    for (let c = 0; c < n; c++) {
      const have = bestOf.get(cKey[c]!);
      if (have === undefined || cScore[have]! < cScore[c]!) bestOf.set(cKey[c]!, c);
    }
    const best = topB([...bestOf.values()], cScore, B);
    const nextMean = new Float64Array(B);
    const nextVar = new Float64Array(B);
    const nextStay = new Float64Array(B);
    const nextScore = new Float64Array(B);
    const nextKey = new Float64Array(B);
    best.forEach((c, i) => {
      const row = (t * B + i) * M;
      const p = cParent[c]!;
      if (t > 0) states.copyWithin(row, ((t - 1) * B + p) * M, ((t - 1) * B + p) * M + M);
      else states.fill(0, row, row + M).set(start, row);
      if (cM[c]! >= 0) states[row + cM[c]!] = cJ[c]!;
      parents[t * B + i] = p;
      nextMean[i] = cMean[c]!;
      nextVar[i] = cVar[c]!;
      nextStay[i] = cStay[c]!;
      nextScore[i] = cScore[c]!;
      nextKey[i] = cKey[c]!;
    });
    kept[t] = best.length;
    [mean, vari, stay, score, key] = [nextMean, nextVar, nextStay, nextScore, nextKey];
  };

  // minute 0: the most probable joint start and every one-appliance variation of it
  const start = Int8Array.from(probsInit.map((p) => p.indexOf(Math.max(...p))));
  let m0 = 0;
  let v0 = noise2;
  let s0 = 0;
  let k0 = 0;
  let l0 = 0;
  for (let m = 0; m < M; m++) {
    const k = start[m]!;
    m0 += locs[m]![k]!;
    v0 += sq[m]![k]!;
    s0 += logP[m]![k]![k]!;
    k0 += k * pow[m]!;
    l0 += Math.log(probsInit[m]![k]!);
  }
  let n = 0;
  const push = (parent: number, m: number, j: number, sc: number, mu: number, v: number, st: number, kk: number) => {
    cParent[n] = parent;
    cM[n] = m;
    cJ[n] = j;
    cScore[n] = sc;
    cMean[n] = mu;
    cVar[n] = v;
    cStay[n] = st;
    cKey[n] = kk;
    n++;
  };
  push(0, -1, 0, l0 + emit(mains[0]!, m0, v0), m0, v0, s0, k0);
  for (let m = 0; m < M; m++) {
    const k = start[m]!;
    for (let j = 0; j < sizes[m]!; j++) {
      if (j === k) continue;
      const mu = m0 - locs[m]![k]! + locs[m]![j]!;
      const v = v0 - sq[m]![k]! + sq[m]![j]!;
      const li = l0 - Math.log(probsInit[m]![k]!) + Math.log(probsInit[m]![j]!);
      push(0, m, j, li + emit(mains[0]!, mu, v), mu, v, s0 - logP[m]![k]![k]! + logP[m]![j]![j]!, k0 + (j - k) * pow[m]!);
    }
  }
  select(n, 0);

  for (let t = 1; t < T; t++) {
    const y = mains[t]!;
    n = 0;
    const rowsAt = (t - 1) * B;
    for (let i = 0; i < kept[t - 1]!; i++) {
      const row = (rowsAt + i) * M;
      push(i, -1, 0, score[i]! + stay[i]! + emit(y, mean[i]!, vari[i]!), mean[i]!, vari[i]!, stay[i]!, key[i]!);
      for (let m = 0; m < M; m++) {
        const k = states[row + m]!;
        const others = stay[i]! - logP[m]![k]![k]!;
        for (let j = 0; j < sizes[m]!; j++) {
          const lp = logP[m]![k]![j]!;
          if (j === k || lp === -Infinity) continue;
          const mu = mean[i]! - locs[m]![k]! + locs[m]![j]!;
          const v = vari[i]! - sq[m]![k]! + sq[m]![j]!;
          // this minute the others stay and m moves; from the next minute m's stay term is its new state's
          push(i, m, j, score[i]! + others + lp + emit(y, mu, v), mu, v, others + logP[m]![j]![j]!, key[i]! + (j - k) * pow[m]!);
        }
      }
    }
    select(n, t);
  }

  const out = Array.from({ length: M }, () => new Array<number>(T).fill(0));
  let at = 0;
  for (let t = T - 1; t >= 0; t--) {
    const row = (t * B + at) * M;
    for (let m = 0; m < M; m++) out[m]![t] = states[row + m]!;
    at = parents[t * B + at]!;
  }
  return out;
}

/**
 * The `B` indices of highest score, best first: a quickselect partition (linear
 * in the candidates) before sorting only the kept ones, so a minute costs
 * O(C + B log B) rather than O(C log C).
 */
export function topB(idx: number[], score: Float64Array, B: number): number[] {
  if (idx.length > B) {
    let lo = 0;
    let hi = idx.length - 1;
    // move the B best to idx[0..B): Hoare partitions around a middle pivot, descending
    while (lo < hi) {
      const pivot = score[idx[(lo + hi) >> 1]!]!;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (score[idx[i]!]! > pivot) i++;
        while (score[idx[j]!]! < pivot) j--;
        if (i <= j) {
          const tmp = idx[i]!;
          idx[i] = idx[j]!;
          idx[j] = tmp;
          i++;
          j--;
        }
      }
      if (B - 1 <= j) hi = j;
      else if (B - 1 >= i) lo = i;
      else break;
    }
    idx.length = B;
  }
  return idx.sort((a, b) => score[b]! - score[a]! || a - b);
}
