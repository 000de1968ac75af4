// ppl-hmm's results are safe (issue 26): written beside --out and renamed into place when
// complete, one run at a time per folder, an interrupted run leaving the previous result as it
// was, and a folder that cannot be written found before the fit (exit 73, naming the path).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT, EnvironmentError, OptionError } from "../src/errors.js";
import { OutputFolder } from "../src/output.js";

const BIN = join(import.meta.dirname, "..", "bin", "ppl-hmm.js");
const dir = mkdtempSync(join(tmpdir(), "ppl-hmm-out-"));

/** A two-level series of n points. */
function series(name: string, n: number): string {
  const p = join(dir, name);
  const rows = ["v"];
  for (let t = 0; t < n; t++) rows.push(String((Math.floor(t / 25) % 2 === 0 ? 0 : 4) + 0.3 * Math.sin(t * 7.77)));
  writeFileSync(p, rows.join("\n") + "\n");
  return p;
}

/** A previous result in `out`: what a finished run leaves, with one marker file of its own. */
function previousResult(out: string): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "params.json"), JSON.stringify({ format: "ppl-hmm/params@1", run: "previous" }));
  writeFileSync(join(out, "old-only.txt"), "from the previous run");
}

const runBin = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8" });

describe("OutputFolder", () => {
  it("a second run into the same --out is refused while the first holds it, and allowed after", () => {
    const out = join(dir, "locked");
    const first = new OutputFolder(out);
    expect(() => new OutputFolder(out)).toThrow(EnvironmentError);
    expect(() => new OutputFolder(out)).toThrow(new RegExp(`another ppl-hmm run \\(process ${process.pid}\\) is writing there`));
    writeFileSync(join(first.temp, "params.json"), JSON.stringify({ format: "ppl-hmm/params@1" }));
    first.commit();
    const second = new OutputFolder(out);
    second.abandon();
    expect(readdirSync(dir).filter((e) => e.includes("locked") && e.startsWith("."))).toEqual([]);
  });

  it("a lock left by a process that is gone does not block the next run", () => {
    const out = join(dir, "stale");
    const gone = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
    writeFileSync(join(dir, ".stale.ppl-hmm.lock"), gone.stdout.trim());
    const o = new OutputFolder(out);
    o.abandon();
  });

  it("commit replaces the previous result as a whole (no folder mixing two runs); abandon leaves it as it was", () => {
    const out = join(dir, "replace");
    previousResult(out);
    const a = new OutputFolder(out);
    writeFileSync(join(a.temp, "params.json"), JSON.stringify({ format: "ppl-hmm/params@1", run: "a" }));
    a.abandon();
    expect(JSON.parse(readFileSync(join(out, "params.json"), "utf8")).run).toBe("previous");
    const b = new OutputFolder(out);
    writeFileSync(join(b.temp, "params.json"), JSON.stringify({ format: "ppl-hmm/params@1", run: "b" }));
    b.commit();
    expect(readdirSync(out)).toEqual(["params.json"]);
    expect(JSON.parse(readFileSync(join(out, "params.json"), "utf8")).run).toBe("b");
  });

  it("an --out holding files that are not a ppl-hmm result is refused (it would be replaced)", () => {
    const out = join(dir, "mine");
    mkdirSync(out);
    writeFileSync(join(out, "thesis.tex"), "x");
    expect(() => new OutputFolder(out)).toThrow(OptionError);
    expect(() => new OutputFolder(out)).toThrow(/holds files that are not a ppl-hmm result/);
  });

  it.skipIf(!existsSync("/sys/kernel"))("a read-only --out is exit 73 naming the path, before any fit", () => {
    // sysfs refuses new folders to everyone, root included
    const r = runBin(["fit", series("ro.csv", 60), "--states", "2", "--out", "/sys/ppl-hmm-test/out"]);
    expect(r.status).toBe(EXIT.environment);
    expect(r.stderr.trim()).toMatch(/^ppl-hmm: error: --out \/sys\/ppl-hmm-test\/out: cannot write \((EPERM|EACCES|EROFS): /);
    expect(r.stdout).not.toMatch(/fitting/);
  });

  // a full filesystem: a 64 KiB tmpfs, where mounting is allowed (root on Linux); elsewhere skipped
  const mnt = join(dir, "full");
  mkdirSync(mnt);
  const mount = () => spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt]).status === 0;
  const canMount = mount() && spawnSync("umount", [mnt]).status === 0;
  it.skipIf(!canMount)("an --out without room for the results is exit 73 with the free space and the need, before the fit", () => {
    expect(mount()).toBe(true);
    try {
      const r = runBin(["fit", series("big.csv", 20_000), "--states", "2", "--out", join(mnt, "r")]);
      expect(r.status, r.stderr).toBe(EXIT.environment);
      expect(r.stderr.trim()).toMatch(/^ppl-hmm: error: --out .*full\/r: (0\.\d MiB free on its filesystem, the results need about \d+\.\d MiB|cannot write \(ENOSPC)/);
      expect(r.stdout).not.toMatch(/fitting/);
      expect(readdirSync(mnt)).toEqual([]);
    } finally {
      spawnSync("umount", [mnt]);
    }
  });
});

describe("an interrupted run", () => {
  /** Starts a fit that runs for a while, and resolves once it is fitting. */
  function startFit(out: string): Promise<ReturnType<typeof spawn>> {
    const data = series("long.csv", 2_000);
    const child = spawn(process.execPath, [BIN, "fit", data, "--states", "3", "--restarts", "20", "--form", "markov", "--steps", "100000", "--tol", "0", "--out", out], { stdio: ["ignore", "pipe", "pipe"] });
    return new Promise((resolve, reject) => {
      let seen = "";
      child.stdout!.on("data", (c: Buffer) => {
        seen += c.toString();
        if (/fitting K=3/.test(seen)) resolve(child);
      });
      child.on("exit", (code) => reject(new Error(`exited ${code} before fitting: ${seen}`)));
    });
  }
  const exited = (child: ReturnType<typeof spawn>) => new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));

  it("Ctrl-C (SIGINT) stops the fit at once and leaves the previous result as it was", async () => {
    const out = join(dir, "sigint");
    previousResult(out);
    const child = await startFit(out);
    const done = exited(child);
    child.kill("SIGINT");
    expect((await done).signal).toBe("SIGINT");
    expect(readdirSync(out).sort()).toEqual(["old-only.txt", "params.json"]);
    expect(JSON.parse(readFileSync(join(out, "params.json"), "utf8")).run).toBe("previous");
  }, 120_000);

  it("a killed run (SIGKILL) leaves the previous result intact; the next run clears its leftovers", async () => {
    const out = join(dir, "sigkill");
    previousResult(out);
    const child = await startFit(out);
    const done = exited(child);
    child.kill("SIGKILL");
    expect((await done).signal).toBe("SIGKILL");
    expect(JSON.parse(readFileSync(join(out, "params.json"), "utf8")).run).toBe("previous");
    // its lock (a dead process) and temporary folder are still there ...
    expect(readdirSync(dir).filter((e) => e.startsWith(".sigkill")).length).toBe(2);
    // ... and the next run takes the folder, clears them and replaces the result
    const r = runBin(["fit", series("short.csv", 80), "--states", "2", "--restarts", "1", "--no-figures", "--out", out]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(["params.json", "states.csv"]);
    expect(readdirSync(dir).filter((e) => e.startsWith(".sigkill"))).toEqual([]);
  }, 180_000);
});

