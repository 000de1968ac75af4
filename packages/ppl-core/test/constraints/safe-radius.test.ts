// Transform.safeRadius: within it a transform's image is finite and inside
// its codomain in float32, which lets SVI's check of an update skip the image
// (infer/update-check.ts). Checked at the radius and on a grid inside it, on
// each backend, with the codomain's own check. (That an update past a radius
// is still refused: test/errors/catalogue.test.ts, the diverging-update rows.)
import * as tf from "@tensorflow/tfjs";
import { describe, expect, it } from "vitest";
import { ExpTransform, IdentityTransform, LowerCholeskyTransform, SigmoidTransform, type Transform } from "../../src/constraints/transforms.js";
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
    it("the identity vouches for every finite value; a transform without a known bound, for none", () => {
      expect(new IdentityTransform().safeRadius).toBe(Infinity);
      expect(new ExpTransform().inv.safeRadius).toBe(0);
    });
  });
});
