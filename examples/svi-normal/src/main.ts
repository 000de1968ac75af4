// The smallest SVI program: learn the posterior of a mean from five numbers and
// compare it with the closed form.
import * as tf from "@tensorflow/tfjs";
import {
  ClippedAdam, JitTraceELBO, SVI, constraints, describeBackend, dist, getParamStore, param, plate, ready, sample, setRngSeed,
} from "ppl-core";

await ready();
console.log(describeBackend());
setRngSeed(0);

const xs = [1.2, 0.8, 1.5, 2.0, 1.1];

function* model(x: tf.Tensor1D) {
  const mu = yield* sample("mu", dist.Normal(0, 1));
  yield* plate("data", x.shape[0], function* () {
    yield* sample("obs", dist.Normal(mu, 1), { obs: x });
  });
}

function* guide(_x: tf.Tensor1D) {
  const loc = yield* param("loc", tf.scalar(0));
  const scale = yield* param("scale", tf.scalar(1), { constraint: constraints.positive });
  yield* sample("mu", dist.Normal(loc, scale));
}

const data = tf.tensor1d(xs);
// the compiled ELBO: the step is recorded once and replayed, mu's draws made again each step (docs/compiled.md)
const elbo = new JitTraceELBO({ numParticles: 4 });
const svi = new SVI(model, guide, new ClippedAdam({ lr: 0.05, lrd: 0.999 }), elbo);
const t0 = performance.now();
for (let step = 0; step <= 3000; step++) {
  const loss = svi.step(data);
  if (step % 500 === 0) console.log(`step ${String(step).padStart(4)}  loss ${loss.toFixed(3)}`);
}
const { loc, scale } = getParamStore().values() as { loc: number; scale: number };
const n = xs.length;
console.log(`posterior of mu: learned N(${loc.toFixed(3)}, ${scale.toFixed(3)}²), exact N(${(xs.reduce((a, b) => a + b) / (n + 1)).toFixed(3)}, ${Math.sqrt(1 / (n + 1)).toFixed(3)}²)`);
const { recorded, replayed, interpreted } = elbo.compileStats;
console.log(`wall time ${((performance.now() - t0) / 1000).toFixed(2)} s (loss calls: ${recorded} recorded, ${replayed} replayed, ${interpreted} interpreted)`);
