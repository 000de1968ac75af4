// ppl-hmm's input forms (issue 26, "the inputs people have"): each file below is written out
// here with the numbers it must give (the truth is the file's own text), or the error it must
// raise, naming the line, the column and the cell.
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync, ftruncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { main } from "../src/cli.js";
import { DataError, EnvironmentError } from "../src/errors.js";
import { type ReadOptions, parseSignal } from "../src/fit/read.js";
import { readSignalFile } from "../src/fit/read-file.js";

const dir = mkdtempSync(join(tmpdir(), "ppl-hmm-read-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const base: ReadOptions = { header: "auto", missing: "error", maxValues: 1e6, limitWhy: "in this test" };
const read = (path: string, o: Partial<ReadOptions> = {}) => readSignalFile(path, { ...base, ...o });
const fails = (path: string, o: Partial<ReadOptions> = {}) => {
  try {
    read(path, o);
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected an error");
};

describe("delimiters and decimal marks", () => {
  it("TSV (detected from the rows, and from a .tsv name)", () => {
    const text = "a\tb\n1.5\t2\n3\t-4e1\n";
    for (const name of ["t.txt", "t.tsv"]) {
      const r = read(file(name, text));
      expect(r.seqs).toEqual([[1.5, 3], [2, -40]]);
      expect(r.labels).toEqual(["a", "b"]);
      expect(r.format).toMatch(/delimiter tab/);
    }
  });

  it("'|' and an explicit --delimiter", () => {
    expect(read(file("p.txt", "x|y\n1|2\n3|4\n")).seqs).toEqual([[1, 3], [2, 4]]);
    // a ';' file whose cells the sniffer would also split: --delimiter decides
    expect(read(file("s.txt", "x;y\n1;2\n"), { delimiter: ";" }).seqs).toEqual([[1], [2]]);
  });

  it("European CSV: ';' and decimal commas detected", () => {
    const r = read(file("eu.csv", "Datum;Wert;Temp\n2020-01-01;1,5;-0,25\n2020-01-02;-2,75;3\n2020-01-03;3;1e-1\n"), { columns: ["Wert", "Temp"] });
    expect(r.seqs).toEqual([[1.5, -2.75, 3], [-0.25, 3, 0.1]]);
    expect(r.format).toMatch(/delimiter ';' \(detected.*decimal ',' \(detected/);
    // the page parses a dropped file's text with the same modules
    expect(parseSignal("eu.csv", readFileSync(join(dir, "eu.csv"), "utf8"), { ...base, columns: ["Wert", "Temp"] })).toEqual(r);
  });

  it("--decimal , on a tab file, and a decimal comma read with --decimal . is an error naming line, column and cell", () => {
    expect(read(file("eu.tsv", "w\n1,5\n2,5\n"), { decimal: "," }).seqs).toEqual([[1.5, 2.5]]);
    const err = fails(file("mixed.csv", "a;b\n1;2\n3;4,5\n"), { delimiter: ";", decimal: "." });
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toMatch(/mixed\.csv:3, column 2 'b': '4,5' is not a number with '\.' as decimal mark \(for decimal commas use --decimal ,\)/);
  });
});

describe("numbers and missing markers", () => {
  it("0x10, 1_000 and Infinity are errors naming line, column and cell (not 16, 1000, Infinity)", () => {
    expect(fails(file("hex.csv", "v\n1\n0x10\n")).message).toMatch(/hex\.csv:3, column 1 'v': '0x10' is not a decimal number \(hexadecimal, binary and octal are not read\)/);
    expect(fails(file("us.csv", "v\n1_000\n")).message).toMatch(/us\.csv:2, column 1 'v': '1_000' is not a number/);
    expect(fails(file("inf.csv", "v\n1\nInfinity\n")).message).toMatch(/inf\.csv:3, column 1 'v': 'Infinity' is not a finite number/);
  });

  it("'.', NA, '?', N/A, None are missing: an error naming the cell, or dropped and counted", () => {
    const f = file("dots.csv", "a,b\n1,2\n.,3\n4,NA\n5,?\n6,N/A\nNone,7\n8,9\n");
    expect(fails(f).message).toMatch(/dots\.csv:3, column 1 'a': missing value '\.'; use --missing drop/);
    const r = read(f, { missing: "drop" });
    expect(r.seqs).toEqual([[1, 4, 5, 6, 8], [2, 3, 7, 9]]);
    expect([...r.dropped]).toEqual([["a", 2], ["b", 3]]);
  });

  it("a line of a megabyte without a line break (a binary or broken file) is an error, not an out-of-memory abort", () => {
    const p = join(dir, "sparse.csv");
    const fd = openSync(p, "w");
    ftruncateSync(fd, 1.1e9);
    closeSync(fd);
    expect(fails(p).message).toMatch(/sparse\.csv:1: a line longer than 1048576 characters/);
  });

  it("more values than the limit stops reading with an EnvironmentError giving the limit", () => {
    const err = fails(file("many.csv", ["v", ...Array.from({ length: 50 }, (_, i) => String(i))].join("\n")), { maxValues: 20 });
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/many\.csv: more than 20 values \(reached at 22\); ppl-hmm fits at most 20 values in this test/);
  });
});

describe("long tables and time columns", () => {
  const tidy = "date,city,temp\n2020-01-01,Oslo,-3\n2020-01-01,Rome,11\n2020-01-02,Oslo,-4\n2020-01-02,Rome,.\n2020-01-03,Oslo,-1\n2020-01-03,Rome,12\n";

  it("--group: one sequence per city in file order, --time kept beside each value kept", () => {
    const f = file("tidy.csv", tidy);
    const r = read(f, { group: "city", columns: ["temp"], time: "date", missing: "drop" });
    expect(r.labels).toEqual(["Oslo", "Rome"]);
    expect(r.seqs).toEqual([[-3, -4, -1], [11, 12]]);
    expect(r.times).toEqual([["2020-01-01", "2020-01-02", "2020-01-03"], ["2020-01-01", "2020-01-03"]]);
    expect(r.layout).toBe("grouped by 'city'");
    // the value column picked for itself: every column but --group and --time
    expect(read(f, { group: "city", time: "date", missing: "drop" }).seqs).toEqual([[-3, -4, -1], [11, 12]]);
  });

  it("without --group a tidy table's text column is an error naming it (never cities joined end to end)", () => {
    expect(fails(file("tidy2.csv", tidy), { columns: ["city", "temp"] }).message).toMatch(/tidy2\.csv:2, column 2 'city': 'Oslo' is not a number/);
    expect(fails(file("tidy3.csv", tidy), { group: "town" }).message).toMatch(/--group: no column 'town'; the columns are 'date', 'city', 'temp'/);
  });

  it("--time survives --missing drop into states.csv (each row's own date)", async () => {
    const rows = ["date,level"];
    for (let t = 0; t < 40; t++) rows.push(`2021-03-${String((t % 28) + 1).padStart(2, "0")}T${String(t % 24).padStart(2, "0")}h,${t === 5 || t === 17 ? "NA" : t % 10 < 5 ? 1 + 0.01 * t : 6 - 0.01 * t}`);
    const out = join(dir, "out-time");
    const say = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      await main(["fit", file("timed.csv", rows.join("\n")), "--time", "date", "--missing", "drop", "--states", "2", "--restarts", "1", "--steps", "2", "--no-figures", "--out", out]);
    } finally {
      say.mockRestore();
    }
    const states = readFileSync(join(out, "states.csv"), "utf8").trim().split("\n");
    expect(states[0]).toBe("sequence,t,date,value,state");
    expect(states).toHaveLength(1 + 38);
    const byDate = new Map(rows.slice(1).map((r) => r.split(",") as [string, string]));
    for (const line of states.slice(1)) {
      const [, , date, value] = line.split(",");
      expect(Number(byDate.get(date!))).toBe(Number(value));
    }
    expect(states.some((l) => l.includes("2021-03-06T05h"))).toBe(false);
  }, 60_000);
});

describe("JSON forms", () => {
  it("an array of numbers (null missing), an array of arrays and { obs }", () => {
    expect(read(file("a.json", "[1, 2, null, 4]"), { missing: "drop" }).seqs).toEqual([[1, 2, 4]]);
    expect(fails(file("a2.json", "[1, 2, null, 4]")).message).toMatch(/a2\.json: index 2, column 1 'seq1': missing value \(null\)/);
    expect(read(file("aa.json", "[[1, 2, 3], [4, 5]]")).seqs).toEqual([[1, 2, 3], [4, 5]]);
    expect(read(file("obs.json", '{ "obs": [[0, 1], [2, 3, 4]] }')).seqs).toEqual([[0, 1], [2, 3, 4]]);
  });

  it("an array of records, with --group, --columns and --time", () => {
    const recs = [{ d: "mon", s: "x", v: 1 }, { d: "mon", s: "y", v: 10 }, { d: "tue", s: "x", v: 2 }, { d: "tue", s: "y", v: "11.5" }];
    const r = read(file("recs.json", JSON.stringify(recs)), { group: "s", columns: ["v"], time: "d" });
    expect(r.labels).toEqual(["x", "y"]);
    expect(r.seqs).toEqual([[1, 2], [10, 11.5]]);
    expect(r.times).toEqual([["mon", "tue"], ["mon", "tue"]]);
    expect(fails(file("recs2.json", JSON.stringify([{ v: 1 }, { v: true }]))).message).toMatch(/recs2\.json: record 2, column 1 'v': true is not a number/);
  });

  it("an object of columns (columns of different lengths)", () => {
    const r = read(file("cols.json", '{ "north": [1, 2, 3], "south": [4, 5] }'));
    expect(r.labels).toEqual(["north", "south"]);
    expect(r.seqs).toEqual([[1, 2, 3], [4, 5]]);
    expect(fails(file("cols2.json", '{ "a": [1, "0x10"] }')).message).toMatch(/cols2\.json: index 1, column 1 'a': '0x10' is not a decimal number/);
  });

  it("JSON over the size limit is refused with its size and the limit, before it is read", () => {
    const p = join(dir, "huge.json");
    const fd = openSync(p, "w");
    ftruncateSync(fd, 300 * 1024 * 1024);
    closeSync(fd);
    const err = fails(p);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.message).toMatch(/huge\.json: 300\.0 MiB of JSON, over the 256\.0 MiB limit/);
  });
});
