/** ppl-hmm's figures as Vega-Lite specs, and the headless renderer (examples/hmm-gaussian and examples/nilm draw with them too). */
export { densityFigure, overviewFigure, segmentationFigure, sequenceFigure } from "./plots.js";
export { houseStackFigure } from "../disaggregate/house-figures.js";
export { writeFigure } from "./render.js";
