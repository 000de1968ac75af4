/**
 * What a compiled loss costs before its program is ready: the calls that run
 * before its first replay (docs/compiled.md). With JitTraceEnumELBO under SVI
 * that is the first step, whose loss runs twice (a call that creates the
 * params, its recording stopped there, then the call that records the program
 * under the gradient tape); with JitInferDiscrete, the first decode. Counted
 * from the loss's own stats, not assumed, so a recording that is refused or
 * retried shows in the figure.
 */
import type { CompiledLossStats } from "ppl-core";

/** Wall and CPU ms (user + system) of one call. */
export interface Timed {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** One call before the first replay: its time, and what the compiled loss did in it. */
export interface CallCost extends Timed {
  /** the loss's own calls within it, when they were timed (`timeEachCall`): SVI's first step runs the loss twice */
  readonly lossCalls?: readonly Timed[];
  /** the loss calls of this call that recorded a program, ran interpreted (a refused recording), or replayed */
  readonly recorded: number;
  readonly interpreted: number;
}

export interface CompileCost {
  /** the calls before the first replay, in order */
  readonly calls: readonly CallCost[];
  /** their summed wall and CPU ms: the time from the start until the compiled program is ready */
  readonly wallMs: number;
  readonly cpuMs: number;
  /** calls run here, the first replaying one included (a caller's warm-up counts them) */
  readonly ran: number;
  /** false when no call replayed within `maxCalls`: the program never became ready */
  readonly ready: boolean;
}

/**
 * Times every later call of `target[method]` into the array returned (an own
 * property over the prototype's method): the loss calls inside an SVI step.
 */
export function timeEachCall<K extends string>(target: Record<K, (...args: never[]) => unknown>, method: K): Timed[] {
  const times: Timed[] = [];
  const original = target[method];
  target[method] = ((...args: never[]) => {
    const s = performance.now();
    const c = process.cpuUsage();
    try {
      return original.apply(target, args);
    } finally {
      const dc = process.cpuUsage(c);
      times.push({ wallMs: performance.now() - s, cpuMs: (dc.user + dc.system) / 1000 });
    }
  }) as typeof original;
  return times;
}

/**
 * Runs `call` until a call replays a recorded program (`stats().replayed`
 * grows) or `maxCalls` ran; times each call before that one, and the loss
 * calls `lossCalls` (from `timeEachCall`) gained during it.
 */
export function timeUntilReplay(call: () => void, stats: () => Readonly<CompiledLossStats>, maxCalls = 4, lossCalls?: readonly Timed[]): CompileCost {
  const calls: CallCost[] = [];
  let before = { ...stats() };
  let seen = lossCalls?.length ?? 0;
  for (let i = 0; i < maxCalls; i++) {
    const s = performance.now();
    const c = process.cpuUsage();
    call();
    const wallMs = performance.now() - s;
    const dc = process.cpuUsage(c);
    const after = { ...stats() };
    if (after.replayed > before.replayed) return summed(calls, i + 1, true);
    calls.push({
      wallMs, cpuMs: (dc.user + dc.system) / 1000, recorded: after.recorded - before.recorded, interpreted: after.interpreted - before.interpreted,
      ...(lossCalls === undefined ? {} : { lossCalls: lossCalls.slice(seen) }),
    });
    seen = lossCalls?.length ?? 0;
    before = after;
  }
  return summed(calls, maxCalls, false);
}

function summed(calls: CallCost[], ran: number, ready: boolean): CompileCost {
  return { calls, ran, ready, wallMs: calls.reduce((a, c) => a + c.wallMs, 0), cpuMs: calls.reduce((a, c) => a + c.cpuMs, 0) };
}

/**
 * "step 1 612 ms, CPU 590 (loss calls 310 + 180 ms, CPU 300 + 170; recorded 1)": each call's part, for a row's note.
 */
export function describeCalls(cost: CompileCost, what: string): string {
  return cost.calls.map((c, i) => {
    const loss = c.lossCalls === undefined || c.lossCalls.length === 0 ? undefined
      : `loss calls ${c.lossCalls.map((l) => l.wallMs.toFixed(0)).join(" + ")} ms, CPU ${c.lossCalls.map((l) => l.cpuMs.toFixed(0)).join(" + ")}`;
    const did = [loss, c.recorded > 0 && `recorded ${c.recorded}`, c.interpreted > 0 && `interpreted ${c.interpreted}`].filter(Boolean).join("; ");
    return `${what} ${i + 1} ${c.wallMs.toFixed(0)} ms, CPU ${c.cpuMs.toFixed(0)}${did ? ` (${did})` : ""}`;
  }).join(", ");
}
