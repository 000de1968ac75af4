/** The page's two figures as SVG: the loss curve, and the signal over bands coloured by decoded state. */

/** One colour per state (up to 12), light enough for bands behind the signal. */
export const STATE_COLOURS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295"];

const NS = "http://www.w3.org/2000/svg";

function el(name: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** At most `max` points of `ys`, keeping each bucket's min and max so spikes stay visible. */
function thin(ys: readonly number[], max: number): [number, number][] {
  if (ys.length <= max) return ys.map((y, i) => [i, y]);
  const out: [number, number][] = [];
  const per = ys.length / (max / 2);
  for (let b = 0; b * per < ys.length; b++) {
    const lo = Math.floor(b * per);
    const hi = Math.min(ys.length, Math.floor((b + 1) * per));
    let iMin = lo;
    let iMax = lo;
    for (let i = lo; i < hi; i++) {
      if (ys[i]! < ys[iMin]!) iMin = i;
      if (ys[i]! > ys[iMax]!) iMax = i;
    }
    out.push(iMin < iMax ? [iMin, ys[iMin]!] : [iMax, ys[iMax]!], iMin < iMax ? [iMax, ys[iMax]!] : [iMin, ys[iMin]!]);
  }
  return out;
}

function range(ys: readonly number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const y of ys) {
    if (y < lo) lo = y;
    if (y > hi) hi = y;
  }
  return lo === hi ? [lo - 1, hi + 1] : [lo, hi];
}

function axisLabel(svg: SVGElement, x: number, y: number, text: string, anchor = "end"): void {
  const t = el("text", { x, y, "font-size": 12, fill: "#56606b", "text-anchor": anchor });
  t.textContent = text;
  svg.append(t);
}

const W = 1000;
const LEFT = 60;

/** The loss of every restart so far, one polyline each, on a shared scale. */
export function drawLoss(svg: SVGElement, runs: readonly (readonly number[])[]): void {
  svg.replaceChildren();
  const H = 180;
  const all = runs.flat();
  if (all.length === 0) return;
  // the first steps' losses dwarf the rest: scale to the 2nd–100th percentile
  const sorted = [...all].sort((a, b) => a - b);
  const lo = sorted[0]!;
  const hi = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.98))]!;
  const [y0, y1] = lo === hi ? [lo - 1, hi + 1] : [lo, hi];
  const steps = Math.max(...runs.map((r) => r.length), 2);
  const sx = (i: number) => LEFT + ((W - LEFT - 10) * i) / (steps - 1);
  const sy = (y: number) => 10 + (H - 30) * (1 - (Math.min(y, y1) - y0) / (y1 - y0));
  svg.append(el("line", { x1: LEFT, y1: H - 20, x2: W - 10, y2: H - 20, stroke: "#c5ccd4" }));
  axisLabel(svg, LEFT - 6, sy(y1) + 4, y1.toPrecision(4));
  axisLabel(svg, LEFT - 6, sy(y0) + 4, y0.toPrecision(4));
  axisLabel(svg, W - 10, H - 4, `step ${steps}`);
  runs.forEach((r, k) => {
    const pts = thin(r, 800).map(([i, y]) => `${sx(i).toFixed(1)},${sy(y).toFixed(1)}`).join(" ");
    svg.append(el("polyline", { points: pts, fill: "none", stroke: STATE_COLOURS[k % STATE_COLOURS.length]!, "stroke-width": 1.5 }));
  });
}

/** The signal as a line over bands, one per run of equal decoded state. */
export function drawSignal(svg: SVGElement, ys: readonly number[], states: readonly number[] | undefined): void {
  svg.replaceChildren();
  const H = 260;
  const [y0, y1] = range(ys);
  const n = Math.max(ys.length, 2);
  const sx = (i: number) => LEFT + ((W - LEFT - 10) * i) / (n - 1);
  const sy = (y: number) => 10 + (H - 30) * (1 - (y - y0) / (y1 - y0));
  if (states !== undefined) {
    let start = 0;
    for (let t = 1; t <= states.length; t++) {
      if (t === states.length || states[t] !== states[start]) {
        const x0 = sx(Math.max(0, start - 0.5));
        const x1 = sx(Math.min(n - 1, t - 0.5));
        const band = el("rect", { x: x0, y: 10, width: Math.max(0.5, x1 - x0), height: H - 30, fill: STATE_COLOURS[states[start]! % STATE_COLOURS.length]!, "fill-opacity": 0.22 });
        band.setAttribute("data-state", String(states[start]));
        svg.append(band);
        start = t;
      }
    }
  }
  axisLabel(svg, LEFT - 6, sy(y1) + 4, y1.toPrecision(4));
  axisLabel(svg, LEFT - 6, sy(y0) + 4, y0.toPrecision(4));
  axisLabel(svg, W - 10, H - 4, `t = ${ys.length - 1}`);
  const pts = thin(ys, 2000).map(([i, y]) => `${sx(i).toFixed(1)},${sy(y).toFixed(1)}`).join(" ");
  svg.append(el("polyline", { points: pts, fill: "none", stroke: "#1d232b", "stroke-width": 1 }));
}
