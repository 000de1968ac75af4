/**
 * tfjs-setup.ts for bundlers (package.json "browser" maps it here): the
 * tensor methods ppl calls, the gradients and the cpu backend, from tfjs-core's
 * ES modules and tfjs-backend-cpu, without the umbrella @tensorflow/tfjs
 * (webgl, layers, converter: ~540 KiB ppl never uses).
 */
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import "@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js";
import "@tensorflow/tfjs-backend-cpu";
