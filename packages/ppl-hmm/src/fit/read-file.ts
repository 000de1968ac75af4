/**
 * The command line's reader: a data file from disk, parsed by the modules the
 * page uses on a dropped file's text (read.ts). Delimited tables are streamed
 * line by line (only their values are kept); JSON is size-checked, then read whole.
 */
import { existsSync, statSync } from "node:fs";
import { DataError } from "../errors.js";
import { readText } from "../files.js";
import { fileLines } from "../read/file-lines.js";
import { checkJsonSize, parseJsonSignal } from "../read/json.js";
import { type ReadOptions, type ReadSignal, fromJson, readTableLines } from "./read.js";

/** `.json` files as JSON, anything else as a delimited table. */
export function readSignalFile(path: string, o: ReadOptions): ReadSignal {
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  const st = statSync(path);
  if (st.isDirectory()) throw new DataError(`${path}: is a directory, expected a data file`);
  if (st.size === 0) throw new DataError(`${path}: the file is empty`);
  if (path.toLowerCase().endsWith(".json")) {
    checkJsonSize(path, st.size);
    return fromJson(parseJsonSignal(path, readText(path), o));
  }
  return readTableLines(path, fileLines(path), o);
}
