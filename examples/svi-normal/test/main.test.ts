// The example as a user runs it (`pnpm --filter svi-normal start`), in a child process: the compiled ELBO
// replays every step after the first (exact counts, no fall-back message), the learned posterior is the
// closed form's, and the last loss printed is −log p(x): at the exact posterior q every draw's
// log p(x, mu) − log q(mu) is log p(x), for x ~ N(0, I + 11ᵀ) in closed form (float64 below).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const exampleDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const XS = [1.2, 0.8, 1.5, 2.0, 1.1];

/** −log N(x; 0, I + 11ᵀ): log det = log(1 + n), quadratic form Σx² − (Σx)²/(1 + n). */
function negLogEvidence(xs: readonly number[]): number {
  const n = xs.length;
  const sum = xs.reduce((a, b) => a + b, 0);
  const quad = xs.reduce((a, b) => a + b * b, 0) - (sum * sum) / (1 + n);
  return 0.5 * (n * Math.log(2 * Math.PI) + Math.log(1 + n) + quad);
}

describe("examples/svi-normal", () => {
  it("replays every step after the first, learns the closed-form posterior, and ends at −log p(x)", () => {
    const tsx = join(exampleDir, "node_modules", ".bin", "tsx");
    const r = spawnSync(tsx, [join(exampleDir, "src", "main.ts")], {
      cwd: exampleDir, encoding: "utf8", timeout: 120_000, env: { ...process.env, FORCE_COLOR: "0" },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/runs this loss interpreted/);
    // SVI made the params before its first step, which recorded; steps 1–3000 replayed
    expect(r.stdout).toMatch(/loss calls: 1 recorded, 3000 replayed, 0 interpreted/);
    const m = /learned N\((-?[\d.]+), ([\d.]+)²\)/.exec(r.stdout)!;
    const n = XS.length;
    // SGD noise moves the learned mean by a few hundredths (sd of the posterior: 0.41)
    expect(Math.abs(Number(m[1]) - XS.reduce((a, b) => a + b) / (n + 1))).toBeLessThan(0.05);
    expect(Math.abs(Number(m[2]) - Math.sqrt(1 / (n + 1))) / Math.sqrt(1 / (n + 1))).toBeLessThan(0.05);
    const last = Number(/step 3000 {2}loss (-?[\d.]+)/.exec(r.stdout)![1]);
    expect(Math.abs(last - negLogEvidence(XS))).toBeLessThan(0.02);
  });
});
