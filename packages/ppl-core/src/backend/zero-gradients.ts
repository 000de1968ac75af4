import * as tf from "@tensorflow/tfjs-core";

// tfjs registers no gradient for comparison and rounding kernels, so any
// `where(x.greater(0), ...)` inside a differentiated function throws. Their
// true gradient is zero almost everywhere. Each entry: kernel -> its inputs.
const ZERO_GRAD_KERNELS: Record<string, readonly string[]> = {
  Greater: ["a", "b"], GreaterEqual: ["a", "b"], Less: ["a", "b"], LessEqual: ["a", "b"],
  Equal: ["a", "b"], NotEqual: ["a", "b"], LogicalAnd: ["a", "b"], LogicalOr: ["a", "b"],
  LogicalNot: ["x"], IsNan: ["x"], IsFinite: ["x"], IsInf: ["x"],
  ArgMax: ["x"], ArgMin: ["x"], OneHot: ["indices"],
  Floor: ["x"], Ceil: ["x"], Round: ["x"], Sign: ["x"],
};

let done = false;

export function registerComparisonGradients(): void {
  if (done) return;
  done = true;
  for (const [kernelName, inputs] of Object.entries(ZERO_GRAD_KERNELS)) {
    if (tf.getGradient(kernelName) !== undefined) continue;
    tf.registerGradient({
      kernelName,
      inputsToSave: [...inputs],
      gradFunc: (_dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const grads: Record<string, () => tf.Tensor> = {};
        inputs.forEach((name, i) => {
          grads[name] = () => tf.zeros(saved[i]!.shape, "float32");
        });
        return grads;
      },
    });
  }
}
