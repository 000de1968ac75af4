// The backward pass's table of decided variables (contract/backward.ts, Decisions), which a compiled decode's op
// keeps from one call to the next: a pass sees only what it decided itself, whatever an earlier pass left.
import { describe, expect, it } from "vitest";
import { Decisions } from "../../src/contract/backward.js";

describe("Decisions", () => {
  it("a new pass reads an earlier pass's entries as undecided, and its own as it set them", () => {
    const d = new Decisions();
    d.startPass();
    d.set("a", ["p"], [2], Int32Array.from([1, 0]), 0);
    d.set("b", [], [], Int32Array.from([7, 2]), 1);
    expect(d.get("a")?.values[0]).toBe(1);
    expect(d.get("b")?.offset).toBe(1);
    d.startPass();
    expect(d.get("a")).toBeUndefined();
    expect(d.get("b")).toBeUndefined();
    d.set("b", ["q"], [3], Int32Array.from([4, 5, 6]), 2);
    const b = d.get("b")!;
    expect([b.plates, b.sizes, Array.from(b.values), b.offset]).toEqual([["q"], [3], [4, 5, 6], 2]);
    expect(d.get("a")).toBeUndefined();
  });
});
