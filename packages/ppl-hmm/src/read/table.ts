/**
 * Rows of a table (a delimited file's, or JSON records or columns) into
 * sequences. Wide: one sequence per value column, a column ending at its last
 * value (trailing empty cells are its end, not missing values). Grouped
 * (`--group COL`, or the long form `sequence,value`): one sequence per value
 * of the group column, in file order. A time column (`--time COL`) is kept
 * beside every value kept. Every problem is a DataError naming the row, the
 * column and the cell.
 */
import { DataError, EnvironmentError } from "../errors.js";
import { type DecimalMark, isMissing, parseDecimal, whyNotNumber } from "./cells.js";

/** `--missing`: stop at a missing cell, or drop it. */
export type MissingMode = "drop" | "error";

/** A cell as read: text (delimited files, JSON strings), a JSON number, or JSON null / absent (missing). */
export type Cell = string | number | boolean | null | undefined | object;

/** How to read a table (from the command line). */
export interface TableOptions {
  missing: MissingMode;
  /** Value columns (names or 1-based numbers); default every column but the group and time columns. */
  columns?: readonly string[];
  /** The column naming each row's sequence (a long / tidy table). */
  group?: string;
  /** The column of time stamps, carried to states.csv. */
  time?: string;
  /** At most this many values are kept; more is an EnvironmentError (exit 73) saying so (default: no limit). */
  maxValues?: number;
  /** What the limit is, for its message (e.g. "with --states 3"). */
  limitWhy?: string;
}

/** Sequences read from a table. */
export interface TableSignal {
  /** seqs[s][t], in the data's units; lengths may differ. */
  seqs: number[][];
  labels: string[];
  /** times[s][t]: the time column's cell of each kept value (with --time). */
  times?: string[][];
  /** The time column's name (with --time). */
  timeName?: string;
  /** Missing cells dropped, per sequence label. */
  dropped: Map<string, number>;
  /** "wide" or "grouped by 'city'", for the read line. */
  layout: string;
}

interface Resolved {
  names: readonly string[] | undefined;
  width: number;
  values: number[];
  group?: number;
  time?: number;
}

function columnIndex(path: string, names: readonly string[] | undefined, width: number, option: string, name: string): number {
  const byName = names?.findIndex((h) => h.trim() === name.trim()) ?? -1;
  if (byName >= 0) return byName;
  const i = Number(name);
  if (Number.isInteger(i) && i >= 1 && i <= width) return i - 1;
  const have = names ? names.map((h) => `'${h}'`).join(", ") : `1–${width} (the file has no header)`;
  throw new DataError(`${path}: ${option}: no column '${name}'; the columns are ${have}`);
}

/** The value, group and time columns of a table with these names (or `width` unnamed columns). */
export function resolveColumns(path: string, names: readonly string[] | undefined, width: number, o: TableOptions): Resolved {
  let group = o.group === undefined ? undefined : columnIndex(path, names, width, "--group", o.group);
  const time = o.time === undefined ? undefined : columnIndex(path, names, width, "--time", o.time);
  let values: number[];
  // the long form: header sequence,value
  if (group === undefined && o.columns === undefined && names?.length === 2 && names[0]!.trim().toLowerCase() === "sequence" && names[1]!.trim().toLowerCase() === "value") {
    return { names, width, values: [1], group: 0 };
  }
  if (o.columns !== undefined) {
    values = o.columns.map((c) => columnIndex(path, names, width, "--columns", c));
    if (names?.length === 2 && group === undefined && names[0]!.trim().toLowerCase() === "sequence" && names[1]!.trim().toLowerCase() === "value") {
      // the long form's --columns picks sequence ids, kept for files written before --group
      group = 0;
      values = [1];
    }
  } else values = Array.from({ length: width }, (_, c) => c).filter((c) => c !== group && c !== time);
  const label = (c: number) => (names ? `'${names[c]}'` : `${c + 1}`);
  for (const c of values) {
    if (c === group) throw new DataError(`${path}: column ${label(c)} is both a value column and the --group column`);
    if (c === time) throw new DataError(`${path}: column ${label(c)} is both a value column and the --time column`);
  }
  if (values.length === 0) throw new DataError(`${path}: no value column left (every column is --group or --time)`);
  return { names, width, values, ...(group !== undefined ? { group } : {}), ...(time !== undefined ? { time } : {}) };
}

/** Feeds rows in; `finish()` gives the sequences. */
export class TableSink {
  private readonly seqs: number[][] = [];
  private readonly labels: string[] = [];
  private readonly times: string[][] = [];
  private readonly bySeq = new Map<string, number>();
  private readonly dropped = new Map<string, number>();
  /** Wide layout: each column's missing cells since its last value (the column may have ended). */
  private readonly pending: { n: number; where: string; cell: string }[] = [];
  private count = 0;
  /** Selected only: the sequences --columns picked from a long form (ids), checked at the end. */
  private readonly ids: readonly string[] | undefined;

  constructor(
    private readonly path: string,
    private readonly r: Resolved,
    private readonly o: TableOptions,
    private readonly decimal: DecimalMark,
  ) {
    const longIds = r.group !== undefined && o.group === undefined && o.columns !== undefined;
    this.ids = longIds ? o.columns : undefined;
    if (r.group === undefined) {
      for (const c of r.values) this.sequence(r.names?.[c]?.trim() || `column ${c + 1}`);
      this.pending = r.values.map(() => ({ n: 0, where: "", cell: "" }));
    }
  }

  private sequence(label: string): number {
    let s = this.bySeq.get(label);
    if (s === undefined) {
      s = this.seqs.length;
      this.bySeq.set(label, s);
      this.seqs.push([]);
      this.labels.push(label);
      this.times.push([]);
    }
    return s;
  }

  private columnName(c: number): string {
    return `column ${c + 1}${this.r.names ? ` '${this.r.names[c]}'` : ""}`;
  }

  /** The cell's number, undefined when missing; a DataError when it is neither. `where` is e.g. "data.csv:12". */
  private value(where: string, c: number, cell: Cell): number | undefined {
    if (cell === null || cell === undefined) return undefined;
    if (typeof cell === "number") {
      if (Number.isNaN(cell)) return undefined;
      if (!Number.isFinite(cell)) throw new DataError(`${where}, ${this.columnName(c)}: ${cell} is not a finite number`);
      return cell;
    }
    if (typeof cell !== "string") throw new DataError(`${where}, ${this.columnName(c)}: ${JSON.stringify(cell)} is not a number`);
    if (isMissing(cell)) return undefined;
    const v = parseDecimal(cell, this.decimal);
    if (v !== undefined) return v;
    const hint = this.o.columns === undefined && this.r.names && this.r.group === undefined ? `; pick the numeric columns with --columns (the columns are ${this.r.names.map((n) => `'${n}'`).join(", ")})` : "";
    throw new DataError(`${where}, ${this.columnName(c)}: '${cell.trim()}' is ${whyNotNumber(cell, this.decimal)}${hint}`);
  }

  private missingError(where: string, c: number, cell: Cell): DataError {
    const shown = cell === null || cell === undefined ? "(null)" : String(cell).trim() === "" ? "(empty cell)" : `'${String(cell).trim()}'`;
    return new DataError(`${where}, ${this.columnName(c)}: missing value ${shown}; use --missing drop to skip missing cells`);
  }

  private keep(s: number, v: number, time: string | undefined, where: string): void {
    if (++this.count > (this.o.maxValues ?? Infinity)) {
      throw new EnvironmentError(`${this.path}: more than ${this.o.maxValues} values (reached at ${where.slice(this.path.length + 1) || where}); ppl-hmm fits at most ${this.o.maxValues} values ${this.o.limitWhy ?? ""}: fit a part of the series, or fewer states`);
    }
    this.seqs[s]!.push(v);
    if (time !== undefined) this.times[s]!.push(time);
  }

  private drop(label: string, n: number): void {
    this.dropped.set(label, (this.dropped.get(label) ?? 0) + n);
  }

  /** One row of cells; `where` names it in errors (e.g. "data.csv:12" or "data.json: record 3"). */
  add(where: string, cells: readonly Cell[]): void {
    const { r, o } = this;
    if (cells.length > r.width) {
      throw new DataError(`${where}: ${cells.length} cells but ${r.names ? "the header has" : "the first row has"} ${r.width}; rows must not have extra cells`);
    }
    const time = r.time === undefined ? undefined : cells[r.time] === null || cells[r.time] === undefined ? "" : String(cells[r.time]).trim();
    if (r.group !== undefined) {
      const id = cells[r.group] === null || cells[r.group] === undefined ? "" : String(cells[r.group]).trim();
      if (id === "") throw new DataError(`${where}, ${this.columnName(r.group)}: empty group id (every row must name its sequence)`);
      if (this.ids !== undefined && !this.ids.includes(id)) return;
      for (const c of r.values) {
        const label = r.values.length > 1 ? `${id}/${r.names?.[c] ?? `column ${c + 1}`}` : id;
        const s = this.sequence(label);
        const v = this.value(where, c, cells[c]);
        if (v === undefined) {
          if (o.missing === "error") throw this.missingError(where, c, cells[c]);
          this.drop(label, 1);
        } else this.keep(s, v, time, where);
      }
      return;
    }
    r.values.forEach((c, s) => {
      const v = this.value(where, c, cells[c]);
      const p = this.pending[s]!;
      if (v === undefined) {
        if (p.n === 0) Object.assign(p, { where, cell: cells[c] === undefined ? "" : cells[c] });
        p.n++;
        return;
      }
      if (p.n > 0) {
        // the column had not ended: its gap is missing values
        if (o.missing === "error") throw this.missingError(p.where, c, p.cell);
        this.drop(this.labels[s]!, p.n);
        p.n = 0;
      }
      this.keep(s, v, time, where);
    });
  }

  /** The sequences read; with --columns on a long form, in the order asked. */
  finish(): TableSignal {
    let order = this.seqs.map((_, s) => s);
    if (this.ids !== undefined) {
      for (const id of this.ids) if (!this.bySeq.has(id)) throw new DataError(`${this.path}: --columns: no sequence '${id}'; the sequences are ${this.labels.map((l) => `'${l}'`).join(", ")}`);
      order = this.ids.map((id) => this.bySeq.get(id)!);
    }
    const timeName = this.r.time === undefined ? undefined : (this.r.names?.[this.r.time] ?? `column ${this.r.time + 1}`);
    const groupName = this.r.group === undefined ? undefined : (this.r.names?.[this.r.group] ?? `column ${this.r.group + 1}`);
    return {
      seqs: order.map((s) => this.seqs[s]!),
      labels: order.map((s) => this.labels[s]!),
      ...(timeName !== undefined ? { times: order.map((s) => this.times[s]!), timeName } : {}),
      dropped: this.dropped,
      layout: groupName === undefined ? "wide" : `grouped by '${groupName}'`,
    };
  }
}
