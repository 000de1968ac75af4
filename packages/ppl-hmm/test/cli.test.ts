// ppl-hmm on good and bad files: outputs written, or one error line with exit code 2.
// The bad inputs run in this process (main() and report(), what src/cli.ts wraps);
// the process itself (exit codes, the bin, a relative path from a sub-folder) is run as a child a few times.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, it, vi } from "vitest";
import { main } from "../src/cli.js";
import { DataError, report } from "../src/errors.js";

const packageDir = join(import.meta.dirname, "..");

const dir = mkdtempSync(join(tmpdir(), "ppl-hmm-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function wide(): string {
  const rows = ["a,b"];
  for (let t = 0; t < 40; t++) rows.push(`${t % 10 < 5 ? 0.1 * (t % 3) : 5 + 0.1 * (t % 3)},${t % 8 < 4 ? 5.2 : 0.2}`);
  return rows.join("\n");
}

/** `ppl-hmm <args>` in this process: what it prints on stdout (stderr is dropped). */
async function runMain(args: string[]): Promise<{ stdout: string }> {
  const chunks: string[] = [];
  const out = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  const log = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void chunks.push(`${a.join(" ")}\n`));
  const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  try {
    await main(args);
  } finally {
    out.mockRestore();
    log.mockRestore();
    err.mockRestore();
  }
  return { stdout: chunks.join("") };
}

describe("ppl-hmm fit", () => {
  it("prints --help with every option, and reads a numeric year header with --header auto", async () => {
    expect((await runMain(["--help"])).stdout).toMatch(/commands:\n {2}fit /);
    const h = await runMain(["fit", "--help"]);
    for (const o of ["--states", "--restarts", "--steps", "--tol", "--window", "--lr", "--min-scale", "--seed", "--form", "--header", "--missing", "--columns", "--data", "--out", "--no-figures", "--json"]) expect(h.stdout).toContain(o);
    const years = ["2012,2013", ...Array.from({ length: 30 }, (_, t) => `${t % 6 < 3 ? 1 : 9},${t % 4 < 2 ? 2 : 8}`)].join("\n");
    const r = await runMain(["fit", file("years.csv", years), "--states", "2", "--restarts", "1", "--steps", "5", "--out", join(dir, "out-years"), "--no-figures"]);
    expect(r.stdout).toMatch(/2 sequence\(s\) × 30 steps; header: yes \(auto: the first row \(2012,2013\) is increasing integers/);
  });

  it("drops missing cells with --missing drop, says how many, and fits columns of different lengths", async () => {
    const rows = ["a,b"];
    for (let t = 0; t < 30; t++) rows.push(`${t === 4 ? "" : t === 7 ? "NaN" : t % 6 < 3 ? 1 : 5},${t < 20 ? (t % 4 < 2 ? 2 : 8) : ""}`);
    const out = join(dir, "out-drop");
    const r = await runMain(["fit", file("gaps.csv", rows.join("\n")), "--missing", "drop", "--states", "2", "--restarts", "1", "--steps", "5", "--out", out, "--no-figures"]);
    expect(r.stdout).toMatch(/2 sequence\(s\) × 20–28 steps \(48 values\); header: yes .*; dropped 2 missing value\(s\) \(a: 2\)/);
    const states = readFileSync(join(out, "states.csv"), "utf8").trim().split("\n").slice(1);
    expect(states.filter((l) => l.startsWith("a,"))).toHaveLength(28);
    expect(states.filter((l) => l.startsWith("b,"))).toHaveLength(20);
  });

  it("fits a wide CSV and writes params.json, states.csv", async () => {
    const out = join(dir, "out-wide");
    // a leading "--", as `pnpm ppl-hmm -- fit ...` passes it, is skipped
    await runMain(["--", "fit", file("wide.csv", wide()), "--states", "2", "--steps", "3", "--restarts", "1", "--out", out, "--no-figures"]);
    const params = JSON.parse(readFileSync(join(out, "params.json"), "utf8"));
    expect(params.params.locs).toHaveLength(2);
    const states = readFileSync(join(out, "states.csv"), "utf8").trim().split("\n");
    expect(states[0]).toBe("sequence,t,value,state");
    expect(states).toHaveLength(1 + 2 * 40);
    expect(states[1]).toMatch(/^a,0,/);
  });

  it("reads the long sequence,value form and the JSON form", async () => {
    const long = ["sequence,value", ...Array.from({ length: 30 }, (_, t) => `s1,${t % 6 < 3 ? 0 : 4}`), ...Array.from({ length: 30 }, (_, t) => `s2,${t % 4 < 2 ? 4 : 0}`)];
    const out = join(dir, "out-long");
    const r = await runMain(["fit", file("long.csv", long.join("\n")), "--states", "2", "--steps", "2", "--restarts", "1", "--out", out, "--no-figures", "--json"]);
    const result = JSON.parse(r.stdout);
    expect(result.restarts.length).toBeGreaterThan(0);
    const states = readFileSync(join(out, "states.csv"), "utf8");
    expect(states).toMatch(/\ns1,0,/);
    expect(states).toMatch(/\ns2,0,/);
    await runMain(["fit", "--data", file("d.json", JSON.stringify({ obs: [[0, 1, 5, 6], [6, 5, 1, 0]] })), "--states", "2", "--steps", "2", "--restarts", "1", "--out", join(dir, "out-json"), "--no-figures"]);
    expect(existsSync(join(dir, "out-json", "states.csv"))).toBe(true);
  });

  it("fits with each model form and reports which", async () => {
    for (const form of ["markov", "discrete-hmm"]) {
      const r = await runMain(["fit", file(`forms-${form}.csv`, wide()), "--states", "2", "--steps", "2", "--restarts", "1", "--out", join(dir, `out-${form}`), "--no-figures", "--json", "--method", "svi", "--form", form]);
      const result = JSON.parse(r.stdout);
      expect(result.form).toBe(form);
      expect(Number.isFinite(result.logLikelihood)).toBe(true);
    }
  });

  const bad: [string, string[], RegExp][] = [
    ["a missing file", ["fit", join(dir, "nope.csv")], /nope\.csv: no such file/],
    ["an empty file", ["fit", file("empty.csv", "\n\n")], /the file is empty/],
    ["a non-numeric cell", ["fit", file("text.csv", "a,b\n1,2\n3,x\n")], /text\.csv:3, column 2 'b': 'x' is not a number/],
    ["NaN with --missing error", ["fit", file("nan.csv", "1\nNaN\n3\n4\n")], /nan\.csv:2, column 1: missing value 'NaN'; use --missing drop/],
    ["a sequence of length 1", ["fit", file("one.csv", "1,2,3\n")], /has 1 value; an HMM needs at least 2 time steps/],
    ["a constant series", ["fit", file("const.csv", "5\n5\n5\n5\n"), "--states", "1"], /const\.csv: constant data/],
    ["values beyond float32", ["fit", file("huge.csv", "1e39\n2\n3\n4\n"), "--states", "2"], /beyond the float32 range/],
    ["fewer values than states", ["fit", file("few.csv", "1\n2\n3\n"), "--states", "5"], /3 values but --states 5/],
    ["bad JSON", ["fit", "--data", file("bad.json", "{ obs: ")], /not valid JSON/],
    ["an unknown option", ["fit", "x.csv", "--stats", "3"], /unknown option '--stats'/],
    ["--steps -1", ["fit", file("ok.csv", "1\n2\n3\n"), "--steps", "-1"], /--steps -1: expected an integer from 1 to/],
    ["--lr -1", ["fit", file("ok1.csv", "1\n2\n3\n"), "--lr", "-1"], /--lr -1: expected a number > 0/],
    ["a bare --states", ["fit", file("ok2.csv", "1\n2\n3\n"), "--states"], /--states needs a value: an integer from 1 to 12/],
    ["an unknown model form", ["fit", file("ok3.csv", "1\n2\n3\n"), "--form", "scan"], /--form scan: expected one of discrete-hmm, markov/],
    ["--out an existing file", ["fit", file("ok4.csv", "1\n2\n3\n"), "--out", file("taken", "x")], /--out .*taken: is a file, expected a folder/],
    ["a diverging fit", ["fit", file("div.csv", wide()), "--states", "2", "--method", "svi", "--lr", "100", "--restarts", "1", "--no-figures", "--out", join(dir, "out-div")], /the fit diverged in every restart .*lower --lr/],
  ];
  for (const [what, args, message] of bad) {
    it(`rejects ${what} with one error line and exit code 2`, async () => {
      const err = await runMain(args).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      const written: string[] = [];
      const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
      const code = report(err);
      spy.mockRestore();
      expect(code).toBe(2);
      const lines = written.join("").trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ppl-hmm: error: /);
      expect(lines[0]).toMatch(message);
    }, 60_000);
  }

  it("as a process: the bin from a sub-folder resolves relative paths there, exits 2 with one line", () => {
    const sub = join(dir, "sub");
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, "c.csv"), "4\n4\n4\n");
    const bin = join(packageDir, "bin", "ppl-hmm.js");
    const r = spawnSync(process.execPath, [bin, "fit", "c.csv", "--states", "1", "--out", "o"], { cwd: sub, encoding: "utf8", env: { ...process.env, INIT_CWD: "" } });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split("\n"), r.stderr).toEqual([expect.stringMatching(/^ppl-hmm: error: .*c\.csv: constant data/)]);
    // a failed run leaves nothing behind: no --out folder, no temporary folder, no lock
    expect(readdirSync(sub)).toEqual(["c.csv"]);
    const o = spawnSync(process.execPath, [bin, "fit", "c.csv", "--lr", "-1"], { cwd: sub, encoding: "utf8" });
    expect(o.status).toBe(2);
    expect(o.stderr.trim()).toBe("ppl-hmm: error: --lr -1: expected a number > 0 and ≤ 100");
  });
});
