export {
  Constraint, real, positive, nonnegative, unitInterval, simplex, dependent, boolean, nonnegativeInteger, positiveInteger,
  lowerCholesky, positiveDefinite, greaterThan, greaterThanEq, interval, integerInterval, integerGreaterThan, independent,
} from "./constraint.js";
