/**
 * What tfjs-core alone lacks, under Node: the tensor methods ppl calls
 * (x.add(y)), the gradients, and the cpu backend. The umbrella's Node build
 * registers all three on the one tfjs-core instance (tfjs-core's own ES
 * modules cannot load in Node). Bundlers for the browser swap this file for
 * tfjs-setup-browser.ts (package.json "browser"), so a page bundles tfjs-core,
 * its cpu backend and nothing else of the umbrella.
 */
import "@tensorflow/tfjs";
