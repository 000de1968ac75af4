/** The command line's readers: a file's text, parsed as read.ts parses the page's dropped files. */
import { readText } from "../files.js";
import { type ReadOptions, type ReadSignal, parseCsv, parseSignal } from "./read.js";

/** A wide or long CSV file. */
export function readCsv(path: string, o: ReadOptions): ReadSignal {
  return parseCsv(path, readText(path), o);
}

/** `.json` files as JSON, anything else as CSV. */
export function readSignalFile(path: string, o: ReadOptions): ReadSignal {
  return parseSignal(path, readText(path), o);
}
