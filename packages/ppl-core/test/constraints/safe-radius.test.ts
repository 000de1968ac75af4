// Transform.safeRadius: within it a transform's image is finite and inside
// its codomain in float32, which lets SVI's check of an update skip the image
// (infer/update-check.ts). Checked at the radius and on a grid inside it, on
// each backend, with the codomain's own check. (That an update past a radius
// is still refused: test/errors/catalogue.test.ts, the diverging-update rows.)
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import {
  ExpTransform, IdentityTransform, LowerCholeskyTransform, SigmoidTransform, StickBreakingTransform, type Transform,
} from "../../src/constraints/transforms.js";
import { onEachBackend } from "../gradients/fd.js";

const transforms: [string, Transform, number[]][] = [
  ["exp", new ExpTransform(), [5]],
  ["sigmoid", new SigmoidTransform(), [5]],
  ["lowerCholesky", new LowerCholeskyTransform(), [3, 3]],
];

onEachBackend(() => {
  describe("Transform.safeRadius", () => {
    for (const [name, t, shape] of transforms) {
      it(`${name}: finite and inside ${t.codomain.name} at ±${t.safeRadius} and within`, () => {
        const r = t.safeRadius;
        expect(r).toBeGreaterThan(0);
        for (const x of [-r, -r / 2, -1, 0, 1, r / 2, r]) {
          tf.tidy(() => {
            const y = t.forward(tf.fill(shape, x));
            expect(Array.from(y.dataSync()).every(Number.isFinite), `forward(${x}) finite`).toBe(true);
            expect(Array.from(t.codomain.check(y).dataSync()).every((ok) => ok === 1), `forward(${x}) inside`).toBe(true);
          });
        }
      });
    }
    it("stickBreaking vouches for every finite value: on the simplex at float32's extremes, mixed signs and wide K", () => {
      const t = new StickBreakingTransform();
      expect(t.safeRadius).toBe(Infinity);
      const MAX = 3.4028234663852886e38; // float32's largest finite value
      const extremes = [-MAX, -1e30, -1e4, -88, -1, 0, 1, 88, 1e4, 1e30, MAX];
      // every ordered pair of extremes as a 3-simplex's two coordinates, then wide rows of mixed magnitudes
      const pairs = extremes.flatMap((a) => extremes.map((b) => [a, b]));
      const wide = Array.from({ length: 4 * 199 }, (_, i) => extremes[(i * 7 + Math.floor(i / 11)) % extremes.length]! * ((i % 3) - 1 || 0.5));
      for (const [values, shape] of [[pairs.flat(), [pairs.length, 2]], [wide, [4, 199]]] as const) {
        tf.tidy(() => {
          const y = t.forward(tf.tensor(values, [...shape]));
          expect(Array.from(y.dataSync()).every(Number.isFinite), `forward of ${shape.join("×")} finite`).toBe(true);
          expect(Array.from(t.codomain.check(y).dataSync()).every((ok) => ok === 1), `forward of ${shape.join("×")} on the simplex`).toBe(true);
        });
      }
    });
    it("the identity vouches for every finite value; a transform without a known bound, for none", () => {
      expect(new IdentityTransform().safeRadius).toBe(Infinity);
      expect(new ExpTransform().inv.safeRadius).toBe(0);
    });
  });
});
