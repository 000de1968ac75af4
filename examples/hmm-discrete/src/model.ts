/**
 * The discrete-emission HMM, written the way Pyro's tutorials write it:
 * Dirichlet priors on the three globals, a plate over sequences, a markov
 * chain over time, the hidden state enumerated in parallel and the rows
 * picked out with vindex.
 *
 * Pyro:
 *   probs_init  = pyro.sample("probs_init",  dist.Dirichlet(torch.ones(K)))
 *   probs_trans = pyro.sample("probs_trans", dist.Dirichlet(torch.ones(K, K)).to_event(1))
 *   probs_emit  = pyro.sample("probs_emit",  dist.Dirichlet(torch.ones(K, V)).to_event(1))
 *   with pyro.plate("seqs", S, dim=-1):
 *       z = None
 *       for t in pyro.markov(range(T)):
 *           probs = probs_init if t == 0 else Vindex(probs_trans)[..., z, :]
 *           z = pyro.sample(f"z_{t}", dist.Categorical(probs), infer={"enumerate": "parallel"})
 *           pyro.sample(f"y_{t}", dist.Categorical(Vindex(probs_emit)[..., z, :]), obs=obs[:, t])
 */
import * as tf from "@tensorflow/tfjs";
import { dist, markov, plate, range, sample, vindex } from "ppl-core";

/** The three global sites AutoDelta learns (the states are enumerated, the symbols observed). */
export const GLOBAL_SITES = ["probs_init", "probs_trans", "probs_emit"] as const;

/**
 * The HMM over `obs` (int32, [S, T]: S sequences of T symbol indices in 0..V-1)
 * with K hidden states and V symbols.
 *
 * @example
 * const obs = tf.tensor2d([[0, 1, 2, 2]], [1, 4], "int32");
 * const loss = new TraceEnumELBO({ maxPlateNesting: 1 }); // sums z_0..z_3 out
 */
export function* model(obs: tf.Tensor2D, K: number, V: number) {
  const [S, T] = obs.shape;
  const probsInit = yield* sample("probs_init", dist.Dirichlet(tf.ones([K])));
  const probsTrans = yield* sample("probs_trans", dist.Dirichlet(tf.ones([K, K])).toEvent(1));
  const probsEmit = yield* sample("probs_emit", dist.Dirichlet(tf.ones([K, V])).toEvent(1));
  yield* plate("seqs", S, { dim: -1 }, function* () {
    let z: tf.Tensor | undefined;
    yield* markov(range(T), function* (t) {
      const probs = t === 0 ? probsInit : vindex(probsTrans, "...", z!, ":");
      z = yield* sample(`z_${t}`, dist.Categorical(probs), { infer: { enumerate: "parallel" } });
      yield* sample(`y_${t}`, dist.Categorical(vindex(probsEmit, "...", z, ":")), {
        obs: obs.slice([0, t], [S, 1]).reshape([S]),
      });
    });
  });
}
