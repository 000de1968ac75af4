export {
  Constraint, real, positive, unitInterval, simplex, dependent, greaterThan, interval, integerInterval, independent,
} from "./constraint.js";
