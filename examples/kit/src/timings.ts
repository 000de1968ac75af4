/** The timings block of an example's --json report. */

/** Seconds spent learning, decoding, drawing figures, and in all. */
export interface StageTimings {
  learnSeconds: number;
  decodeSeconds: number;
  figuresSeconds: number;
  totalSeconds: number;
}

/** The stages between four `performance.now()` readings (milliseconds), in seconds. */
export function stageTimings(t0: number, tLearn: number, tDecode: number, tEnd: number): StageTimings {
  return {
    learnSeconds: (tLearn - t0) / 1000,
    decodeSeconds: (tDecode - tLearn) / 1000,
    figuresSeconds: (tEnd - tDecode) / 1000,
    totalSeconds: (tEnd - t0) / 1000,
  };
}
