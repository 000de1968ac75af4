/** ppl-hmm's figures as Vega-Lite specs, and the headless renderer (examples/hmm-gaussian draws with them too). */
export { densityFigure, overviewFigure, segmentationFigure, sequenceFigure } from "./plots.js";
export { writeFigure } from "./render.js";
