// SVI before the backend is ready, and an unknown PPL_BACKEND. The test setup
// has already awaited ready() in this process, so the checks run in a child
// process on a small script (fixtures/not-ready.ts).
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isReady } from "ppl-core";

const here = dirname(fileURLToPath(import.meta.url));

interface Line {
  check: string;
  value?: boolean;
  threw?: boolean;
  name?: string;
  message?: string;
  expected?: string;
  actual?: string;
}

describe("backend readiness", () => {
  it("SVI.step, evaluateLoss and backendInfo before `await ready()` throw PPLConfigError telling the user to await it", () => {
    expect(isReady()).toBe(true); // this process: the setup awaited ready()
    const env = { ...process.env };
    delete env.PPL_BACKEND;
    const out = execFileSync(process.execPath, ["--import", "tsx", join(here, "fixtures", "not-ready.ts")], {
      cwd: join(here, "..", "..", "..", ".."),
      env,
      encoding: "utf8",
      timeout: 60_000,
    });
    const lines = new Map(out.trim().split("\n").map((l) => JSON.parse(l) as Line).map((l) => [l.check, l]));
    expect(lines.get("isReady")?.value).toBe(false);
    for (const check of ["step", "evaluateLoss", "backendInfo"]) {
      const l = lines.get(check)!;
      expect(l.threw, check).toBe(true);
      expect(l.name, check).toBe("PPLConfigError");
      expect(l.message, check).toContain("await ready()");
      expect(l.expected, check).toBe("ready() awaited");
    }
    expect(lines.get("backendInfo")?.actual).toBe("ready() never called");
    const bad = lines.get("ready")!;
    expect(bad.threw).toBe(true);
    expect(bad.name).toBe("PPLConfigError");
    expect(bad.message).toContain("PPL_BACKEND=gpu");
    expect(bad.expected).toBe("tensorflow, wasm, cpu");
    expect(bad.actual).toBe("gpu");
    expect(lines.get("isReadyAfter")?.value).toBe(false);
  });
});
