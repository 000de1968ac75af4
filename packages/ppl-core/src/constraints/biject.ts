/** bijectTo: the transform from unconstrained reals onto a constraint's support. */
import {
  Constraint, GreaterThan, IndependentConstraint, Interval, Real, Simplex,
} from "./constraint.js";
import {
  AffineTransform, ComposeTransform, ExpTransform, IdentityTransform, SigmoidTransform,
  StickBreakingTransform, type Transform,
} from "./transforms.js";
import { PPLConfigError } from "../errors.js";

export function bijectTo(constraint: Constraint): Transform {
  if (constraint instanceof Real) return new IdentityTransform();
  if (constraint instanceof GreaterThan) {
    return constraint.lowerBound === 0
      ? new ExpTransform()
      : new ComposeTransform([new ExpTransform(), new AffineTransform(constraint.lowerBound, 1)]);
  }
  if (constraint instanceof Interval) {
    const { lowerBound: a, upperBound: b } = constraint;
    return a === 0 && b === 1
      ? new SigmoidTransform()
      : new ComposeTransform([new SigmoidTransform(), new AffineTransform(a, b - a)]);
  }
  if (constraint instanceof Simplex) return new StickBreakingTransform();
  if (constraint instanceof IndependentConstraint) return bijectTo(constraint.base);
  throw new PPLConfigError(
    `bijectTo has no transform onto constraint '${constraint.name}'` +
      (constraint.isDiscrete ? ": it is discrete, so it cannot be learned by gradient (enumerate it instead)" : ""),
    { expected: "a continuous constraint (real, positive, greaterThan, interval, simplex)", actual: constraint.name },
  );
}
