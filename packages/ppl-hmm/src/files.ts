/** Reading the user's data files (Node only; the page reads with the browser's File API and parses the same way). */
import { existsSync, readFileSync, statSync } from "node:fs";
import { DataError, parseJson } from "./errors.js";

/** The text of the data file at `path`; a DataError when it is missing, a directory or empty. */
export function readText(path: string): string {
  if (!existsSync(path)) throw new DataError(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new DataError(`${path}: is a directory, expected a data file`);
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") throw new DataError(`${path}: the file is empty`);
  return text;
}

/** The parsed JSON file at `path`; a DataError when it cannot be read or is not JSON. */
export function readJsonFile(path: string): unknown {
  return parseJson(path, readText(path));
}
