/**
 * The garbage collector's share of a V8 CPU profile (issue 25's target: ≤ 5 %
 * of a compiled step): the main thread's "(garbage collector)" samples,
 * weighted by their time deltas, over the profile from a fraction on (a whole
 * run's profile starts with module loading and the recording step).
 * `profileGc` profiles a function in this process with node:inspector, so a
 * bench job measures its own steady-state steps.
 */
import { Session } from "node:inspector";

/** The parts of a V8 CPU profile (Profiler.Profile, as `node --cpu-prof` writes it) the share reads. */
export interface CpuProfile {
  readonly nodes: readonly { readonly id: number; readonly callFrame: { readonly functionName: string } }[];
  /** the node each sample hit, in time order, and the µs before each (absent from a profile with no samples) */
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface GcShare {
  /** GC time over all time, in [0, 1] */
  readonly share: number;
  /** the time the share is of, ms */
  readonly ms: number;
  readonly samples: number;
}

/** The GC share of `profile`'s samples from `from` (a fraction of the samples, in time order) to the end. */
export function gcShare(profile: CpuProfile, from = 0): GcShare {
  const gc = new Set(profile.nodes.filter((n) => n.callFrame.functionName === "(garbage collector)").map((n) => n.id));
  const { samples = [], timeDeltas = [] } = profile;
  let total = 0;
  let collecting = 0;
  const first = Math.floor(samples.length * from);
  for (let i = first; i < samples.length; i++) {
    const dt = timeDeltas[i] ?? 0;
    total += dt;
    if (gc.has(samples[i]!)) collecting += dt;
  }
  return { share: total > 0 ? collecting / total : NaN, ms: total / 1000, samples: samples.length - first };
}

/** The GC share of `run`, profiled in this process (the inspector's in-process session answers synchronously). */
export function profileGc(run: () => void, intervalMicros = 250): GcShare {
  const session = new Session();
  session.connect();
  try {
    session.post("Profiler.enable");
    session.post("Profiler.setSamplingInterval", { interval: intervalMicros });
    session.post("Profiler.start");
    const out: { profile?: CpuProfile; error?: Error } = {};
    try {
      run();
    } finally {
      session.post("Profiler.stop", (err, res) => {
        if (err) out.error = err;
        else out.profile = res.profile;
      });
    }
    if (out.error !== undefined) throw out.error;
    if (out.profile === undefined) throw new Error("the inspector gave no profile (Profiler.stop did not answer synchronously)");
    return gcShare(out.profile);
  } finally {
    session.disconnect();
  }
}
