// The values a docs block prints, checked against what its comment says they are.
//
// A runnable block's statement `console.log(a, b); // [100, 6] [100]: one row per draw`
// or `x.print(); // ≈ [-1.98, 0.16, 2.81]` has its comment's leading literals (numbers,
// strings, arrays, objects: JavaScript literal syntax) compared with what the statement
// prints: one literal per console.log argument (one for print). Text after the literals is
// prose. `≈` before them allows 5 % (or 0.05, whichever is larger) per number; without it,
// numbers agree to float32 precision. A comment that starts with prose is not checked.
import ts from "typescript";

/** One checked statement: where it is, and its replacement in the run copy of the block. */
export interface Annotated {
  readonly where: string;
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/** The name of the global the run copy calls (set by {@link installChecker}). */
const HOOK = "__docValue";

/** The leading literals of a comment's text, and whether `≈` precedes them; undefined when it starts with prose. */
export function leadingLiterals(comment: string): { approx: boolean; literals: string[] } | undefined {
  let s = comment.trim();
  const approx = s.startsWith("≈");
  if (approx) s = s.slice(1).trim();
  const literals: string[] = [];
  for (;;) {
    const n = literalLength(s);
    if (n === 0) break;
    literals.push(s.slice(0, n));
    s = s.slice(n).trimStart();
    if (s.startsWith(",") && literalLength(s.slice(1).trimStart()) === 0) break;
  }
  return literals.length === 0 ? undefined : { approx, literals };
}

/** Length of the literal at the start of `s` (a number, a quoted string, a bracketed value, true/false/null), or 0. */
function literalLength(s: string): number {
  const num = /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?(?![\w.])/i.exec(s);
  if (num) return num[0].length;
  const word = /^(true|false|null)\b/.exec(s);
  if (word) return word[0].length;
  if (s[0] === '"' || s[0] === "'") {
    const close = s.indexOf(s[0], 1);
    return close < 0 ? 0 : close + 1;
  }
  if (s[0] !== "[" && s[0] !== "{") return 0;
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '"' || c === "'") {
      const close = s.indexOf(c, i + 1);
      if (close < 0) return 0;
      i = close;
    } else if (c === "[" || c === "{") depth++;
    else if (c === "]" || c === "}") {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return 0;
}

/** The printing statements of `code` whose trailing comment gives their values, with their checked replacements. */
export function annotatedStatements(code: string, where: (offset: number) => string): Annotated[] {
  const sf = ts.createSourceFile("block.ts", code, ts.ScriptTarget.ES2022, true);
  const out: Annotated[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isExpressionStatement(node) && ts.isCallExpression(node.expression)) {
      const printed = printedValues(node.expression, sf);
      const comment = ts.getTrailingCommentRanges(code, node.end)?.[0];
      if (printed !== undefined && comment !== undefined && comment.kind === ts.SyntaxKind.SingleLineCommentTrivia) {
        const parsed = leadingLiterals(code.slice(comment.pos + 2, comment.end));
        if (parsed !== undefined) {
          const at = where(node.getStart(sf));
          if (parsed.literals.length !== printed.length) {
            throw new Error(`${at}: the comment gives ${parsed.literals.length} value(s) for ${printed.length} printed`);
          }
          out.push({
            where: at,
            start: node.getStart(sf),
            end: node.end,
            replacement: `${HOOK}(${JSON.stringify(at)}, ${parsed.approx}, [${parsed.literals.join(", ")}], [${printed.join(", ")}]);`,
          });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The expressions a call prints: console.log's arguments, or the tensor of `x.print()`. */
function printedValues(call: ts.CallExpression, sf: ts.SourceFile): string[] | undefined {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  if (callee.getText(sf) === "console.log") return call.arguments.map((a) => a.getText(sf));
  if (callee.name.text === "print" && call.arguments.length === 0) return [callee.expression.getText(sf)];
  return undefined;
}

/** `code` with every annotated statement replaced by its check. */
export function withChecks(code: string, annotated: readonly Annotated[]): string {
  let out = code;
  for (const a of [...annotated].sort((x, y) => y.start - x.start)) out = out.slice(0, a.start) + a.replacement + out.slice(a.end);
  return out;
}

/** Tensors (anything with arraySync), Maps and objects as plain data. */
function plain(v: unknown): unknown {
  if (v !== null && typeof v === "object") {
    if ("arraySync" in v && typeof v.arraySync === "function") return (v.arraySync as () => unknown)();
    if (v instanceof Map) return plain(Object.fromEntries(v));
    if (Array.isArray(v)) return v.map(plain);
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

/** Where `actual` differs from `expected` (empty when they agree). */
export function mismatch(expected: unknown, actual: unknown, approx: boolean, path = ""): string[] {
  const a = plain(actual);
  if (typeof expected === "number") {
    if (typeof a !== "number") return [`${path || "value"}: expected ${expected}, printed ${JSON.stringify(a)}`];
    const tol = approx ? Math.max(0.05, 0.05 * Math.abs(expected)) : 1e-6 + 1e-5 * Math.abs(expected);
    return Math.abs(a - expected) <= tol ? [] : [`${path || "value"}: expected ${approx ? "≈ " : ""}${expected}, printed ${a}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(a) || a.length !== expected.length) return [`${path || "value"}: expected ${JSON.stringify(expected)}, printed ${JSON.stringify(a)}`];
    return expected.flatMap((e, i) => mismatch(e, a[i], approx, `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === "object") {
    if (a === null || typeof a !== "object") return [`${path || "value"}: expected an object, printed ${JSON.stringify(a)}`];
    const keys = Object.keys(expected);
    const extra = Object.keys(a).filter((k) => !keys.includes(k));
    return [
      ...(extra.length > 0 ? [`${path || "value"}: printed keys ${extra.join(", ")} the comment does not list`] : []),
      ...keys.flatMap((k) => mismatch((expected as Record<string, unknown>)[k], (a as Record<string, unknown>)[k], approx, `${path}.${k}`)),
    ];
  }
  return Object.is(expected, a) ? [] : [`${path || "value"}: expected ${JSON.stringify(expected)}, printed ${JSON.stringify(a)}`];
}

/** What the checks of one run found: each reached statement and its mismatches. */
export interface CheckLog {
  readonly reached: Set<string>;
  readonly problems: string[];
}

/** Install the global the run copies call; returns the log it fills. */
export function installChecker(): CheckLog {
  const log: CheckLog = { reached: new Set(), problems: [] };
  (globalThis as Record<string, unknown>)[HOOK] = (where: string, approx: boolean, expected: unknown[], actual: unknown[]) => {
    log.reached.add(where);
    for (let i = 0; i < expected.length; i++) log.problems.push(...mismatch(expected[i], actual[i], approx).map((m) => `${where}: ${m}`));
  };
  return log;
}
