// A user's program against the published packages: a two-component Gaussian
// mixture whose assignments are enumerated out exactly (TraceEnumELBO), the
// component means fitted by MAP (AutoDelta + SVI), then each point's component
// decoded (inferDiscrete, temperature 0). Exits non-zero if an answer is wrong.
import * as tf from "@tensorflow/tfjs";
import { Adam, SVI, block, condition, describeBackend, dist, plate, ready, sample, setRngSeed, trace, vindex } from "ppl-core";
import { AutoDelta, initToValue } from "ppl-autoguide";
import { TraceEnumELBO, inferDiscrete } from "ppl-enum";

const info = await ready();
console.log(describeBackend());
setRngSeed(0);

const xs = [-2.1, -1.9, -2.4, 2.0, 1.7, 2.3, 2.2];
const sigma = 0.5;
const priorScale = 10;

function* model(x: tf.Tensor1D) {
  const locs = yield* sample("locs", dist.Normal(0, priorScale).expand([2]).toEvent(1));
  yield* plate("data", x.shape[0], function* () {
    const z = yield* sample("z", dist.Categorical(tf.tensor1d([0.5, 0.5])), { infer: { enumerate: "parallel" } });
    yield* sample("x", dist.Normal(vindex(locs, "...", z), sigma), { obs: x });
  });
}

// The enumerated site z is hidden from the guide: TraceEnumELBO sums it out.
const guide = new AutoDelta(block(model, { expose: ["locs"] }), { initLocFn: initToValue({ values: { locs: [-1, 1] } }) });
const svi = new SVI(model, guide, new Adam({ lr: 0.1 }), new TraceEnumELBO({ maxPlateNesting: 1 }));
const data = tf.tensor1d(xs);
let loss = Number.NaN;
for (let step = 0; step < 300; step++) loss = svi.step(data);

const fitted = guide.median(data);
const locs = Array.from(fitted.locs!.dataSync());
// The clusters are 4 apart at sigma 0.5, so the posterior responsibilities are
// 0 or 1 to float32 precision and the MAP mean of each component is its
// cluster's mean shrunk by the Normal(0, 10) prior: n x̄ / (n + σ²/τ²).
const mapMean = (ys: number[]) => ys.reduce((a, b) => a + b, 0) / (ys.length + (sigma * sigma) / (priorScale * priorScale));
const expected = [mapMean(xs.slice(0, 3)), mapMean(xs.slice(3))];

const decoded = trace(inferDiscrete(condition(model, { locs: fitted.locs! }), { temperature: 0 })).getTrace(data);
const z = Array.from(decoded.sampleSite("z").value.dataSync());

console.log(`backend ${info.name}, tfjs ${tf.version.tfjs}, final loss ${loss.toFixed(3)}`);
console.log(`locs [${locs.map((v) => v.toFixed(4)).join(", ")}], expected [${expected.map((v) => v.toFixed(4)).join(", ")}]`);
console.log(`z [${z.join(", ")}]`);

const problems: string[] = [];
if (locs.some((v, k) => Math.abs(v - expected[k]!) > 1e-2)) problems.push("the fitted locs are not the MAP means");
if (z.join(",") !== "0,0,0,1,1,1,1") problems.push("the decoded assignments are wrong");
if (!Number.isFinite(loss)) problems.push("the loss is not finite");
if (problems.length > 0) throw new Error(`consumer program FAILED: ${problems.join("; ")}`);
console.log("consumer program OK");
