/**
 * A text file as numbered lines, read in chunks: a file of any size is
 * never held whole in memory (only the values read from it are kept). Node only.
 */
import { closeSync, openSync, readSync } from "node:fs";
import { type NumberedLine, MAX_LINE_CHARS, lineTooLong } from "./lines.js";

const CHUNK = 1 << 20;

/** Each line of the file (without its \r\n or \n) and its 1-based number; a leading BOM is dropped. */
export function* fileLines(path: string): Generator<NumberedLine> {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(CHUNK);
    const decoder = new TextDecoder("utf-8");
    let rest = "";
    let line = 0;
    let first = true;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      let text = rest + decoder.decode(buf.subarray(0, n), { stream: n > 0 });
      if (first) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      let start = 0;
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", start)) {
        const end = i > start && text.charCodeAt(i - 1) === 13 ? i - 1 : i;
        yield { line: ++line, text: text.slice(start, end) };
        start = i + 1;
      }
      rest = text.slice(start);
      if (rest.length > MAX_LINE_CHARS) throw lineTooLong(path, line + 1);
      if (n === 0) break;
    }
    if (rest !== "") yield { line: ++line, text: rest.endsWith("\r") ? rest.slice(0, -1) : rest };
  } finally {
    closeSync(fd);
  }
}

