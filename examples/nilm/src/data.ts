/**
 * The data generator: each appliance's sub-metered series drawn from its
 * catalogue HMM, the mains their sum plus the meter's noise. Seeded by
 * ppl-core's RNG, one stream per appliance and one for the meter, so adding an
 * appliance leaves the others' series unchanged.
 */
import { drawIndex } from "example-kit/sampling";
import { hashSeed, makeRng } from "ppl-core";
import { type ApplianceParams, type ApplianceType, METER_NOISE, jittered, trueParams } from "./catalogue.js";

/** One household's day (or T minutes): per-appliance truth and the meter. */
export interface Household {
  /** [M][T] the hidden state of each appliance at each minute. */
  readonly states: number[][];
  /** [M][T] each appliance's power, kW (what a sub-meter reads). */
  readonly power: number[][];
  /** [T] the mains, kW: Σ power + meter noise. */
  readonly mains: number[];
}

function gaussian(rng: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/**
 * T minutes of a household with the given appliances, reproducible from `seed`.
 *
 * @example
 * const day = generate(appliances(3).map(trueParams), 1440, 0); // day.mains: number[1440]
 */
export function generate(params: readonly ApplianceParams[], T: number, seed: number, meterNoise = METER_NOISE): Household {
  const states: number[][] = [];
  const power: number[][] = [];
  params.forEach((p, m) => {
    const rng = makeRng(hashSeed("nilm/appliance", seed, m));
    const gauss = gaussian(rng);
    const zs: number[] = [];
    const ws: number[] = [];
    let z = drawIndex(p.probsInit, rng());
    for (let t = 0; t < T; t++) {
      if (t > 0) z = drawIndex(p.probsTrans[z]!, rng());
      zs.push(z);
      ws.push(p.locs[z]! + p.scales[z]! * gauss());
    }
    states.push(zs);
    power.push(ws);
  });
  const gauss = gaussian(makeRng(hashSeed("nilm/meter", seed)));
  const mains = Array.from({ length: T }, (_, t) => power.reduce((s, w) => s + w[t]!, 0) + meterNoise * gauss());
  return { states, power, mains };
}

/** The household's actual HMMs: each catalogue type jittered (levels ±10 %, durations ±30 %), reproducible from `seed`. */
export function householdParams(types: readonly ApplianceType[], seed: number): ApplianceParams[] {
  return types.map((a, m) => trueParams(jittered(a, makeRng(hashSeed("nilm/household", seed, m)))));
}
