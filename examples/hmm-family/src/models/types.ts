/** What every model of the family takes, as hmm.py's `model_N(sequences, lengths, args, batch_size, include_prior)` does. */
import type * as tf from "@tensorflow/tfjs";
import type { ModelGenerator } from "ppl-core";

/** hmm.py's `args`: the sizes a model reads. */
export interface ModelArgs {
  /** hmm.py's --hidden-dim (models 3 and 4 split it: √hiddenDim states per chain). */
  readonly hiddenDim: number;
  /** Hidden units of model_5's / model_7's tones generator (hmm.py --nn-dim). */
  readonly nnDim: number;
  /** Convolution channels of the tones generator (hmm.py --nn-channels). */
  readonly nnChannels: number;
  /** model_6: Raftery's mixture parameterisation of the second-order transitions (hmm.py --raftery-parameterization). */
  readonly raftery: boolean;
  /** Sequences per step (hmm.py --batch-size); all of them when undefined. */
  readonly batchSize?: number;
  /**
   * hmm.py's --jit: the markov loop runs to the sequences' padded length, not to the longest sequence of
   * the batch (read in JS), so every step has the same structure whatever batch a subsample draws and the
   * compiled ELBO replays it; the step mask drops what lies past each length.
   */
  readonly jit?: boolean;
}

/**
 * sequences: [num_sequences, max_length, data_dim] of 0/1 (padded with 0 past each length);
 * lengths: [num_sequences] int32. includePrior false drops the priors (held-out evaluation).
 */
export type HmmModel = (
  sequences: tf.Tensor3D,
  lengths: tf.Tensor1D,
  args: ModelArgs,
  includePrior?: boolean,
) => ModelGenerator<void>;
