/**
 * bijectTo: the transform from unconstrained reals onto a constraint's
 * support, bijective so that densities can be pushed through it (guides,
 * TransformedDistribution). transformTo: the map Pyro's transform_to gives,
 * through which the ParamStore keeps `param(..., { constraint })`; it need not
 * be bijective. The two differ on the simplex alone: softmax of K numbers
 * (transformTo, torch's SoftmaxTransform) rather than stick-breaking of K-1
 * (bijectTo).
 */
import {
  Constraint, GreaterThan, GreaterThanEq, IndependentConstraint, Interval, LowerCholesky, PositiveDefinite, Real,
  Simplex, TensorInterval,
} from "./constraint.js";
import { CorrCholesky, CorrCholeskyTransform } from "./corr-cholesky.js";
import {
  AffineTransform, CholeskyTransform, ComposeTransform, ExpTransform, IdentityTransform, IntervalAffineTransform, LowerCholeskyTransform,
  SigmoidTransform, SoftmaxTransform, StickBreakingTransform, type Transform,
} from "./transforms.js";
import { PPLConfigError } from "../errors.js";

type Which = "bijectTo" | "transformTo";

function onto(constraint: Constraint, which: Which): Transform {
  if (constraint instanceof Real) return new IdentityTransform();
  if (constraint instanceof GreaterThan || constraint instanceof GreaterThanEq) {
    return constraint.lowerBound === 0
      ? new ExpTransform()
      : new ComposeTransform([new ExpTransform(), new AffineTransform(constraint.lowerBound, 1)], constraint);
  }
  if (constraint instanceof Interval) {
    const { lowerBound: a, upperBound: b } = constraint;
    // an unbounded side (TruncatedNormal's low = -Infinity): the sigmoid's width b - a would be infinite
    if (a === -Infinity && b === Infinity) return new IdentityTransform();
    if (a === -Infinity) return new ComposeTransform([new ExpTransform(), new AffineTransform(b, -1)], constraint);
    if (b === Infinity) return new ComposeTransform([new ExpTransform(), new AffineTransform(a, 1)], constraint);
    return a === 0 && b === 1
      ? new SigmoidTransform()
      : new ComposeTransform([new SigmoidTransform(), new AffineTransform(a, b - a)], constraint);
  }
  if (constraint instanceof TensorInterval) {
    // the bounds are this run's tensors: nothing is computed from them until the map is applied
    return new ComposeTransform([new SigmoidTransform(), new IntervalAffineTransform(constraint.lowerBound, constraint.upperBound)], constraint);
  }
  if (constraint instanceof Simplex) return which === "bijectTo" ? new StickBreakingTransform() : new SoftmaxTransform();
  if (constraint instanceof LowerCholesky) return new LowerCholeskyTransform();
  if (constraint instanceof CorrCholesky) return new CorrCholeskyTransform();
  if (constraint instanceof PositiveDefinite) {
    return new ComposeTransform([new LowerCholeskyTransform(), new CholeskyTransform().inv], constraint);
  }
  if (constraint instanceof IndependentConstraint) return onto(constraint.base, which);
  throw new PPLConfigError(
    `${which} has no transform onto constraint '${constraint.name}'` +
      (constraint.isDiscrete ? ": it is discrete, so it cannot be learned by gradient (enumerate it instead)" : ""),
    {
      expected: "a continuous constraint (real, positive, nonnegative, greaterThan, interval, simplex, lowerCholesky, positiveDefinite)",
      actual: constraint.name,
    },
  );
}

/**
 * The bijection from unconstrained reals onto `constraint` (Pyro's
 * `biject_to`): exp for positive, sigmoid-and-affine for an interval,
 * stick-breaking for a simplex (K − 1 reals to K). Autoguides use it.
 *
 * @example
 * const t = bijectTo(constraints.simplex);
 * const p = t.forward(tf.zeros([2]));          // [1/3, 1/3, 1/3]
 * @throws PPLConfigError for a discrete constraint (enumerate such a site instead)
 */
export function bijectTo(constraint: Constraint): Transform {
  return onto(constraint, "bijectTo");
}

/**
 * A map from unconstrained reals onto `constraint` (Pyro's `transform_to`):
 * as {@link bijectTo}, except a softmax of K reals for a simplex (not a
 * bijection: it keeps params, as Pyro's param store does).
 */
export function transformTo(constraint: Constraint): Transform {
  return onto(constraint, "transformTo");
}
