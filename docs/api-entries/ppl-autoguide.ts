/**
 * Guides built automatically from a model: {@link AutoDelta} (a point estimate
 * per latent site), {@link AutoNormal} (a mean-field Normal in unconstrained
 * space), and the init strategies. See docs/autoguides.md in the repository.
 *
 * @module ppl-autoguide
 */
export * from "ppl-autoguide";
