/**
 * Named dims, and a site's positional dims read as named ones. An enumerated
 * variable is `v<id>`, a plate `p:<name>`, a vectorizedMarkov time axis
 * `t:<name>`. A site's dims are read through its own dim -> variable map
 * (written by the enumeration handler), so recycled dims never get confused,
 * and size-1 dims are dropped: a factor's rank is the number of things it
 * really depends on, never the positional arena width.
 */
import { PPLShapeError } from "ppl-core";
import { type EnumVariable, formatFrame, formatShape, isVectorizedFrame } from "ppl-core/internal";
import type { PlateFrame, SampleSite, Trace } from "ppl-core";
import type { Dim } from "../contract/factor.js";

// Dim names are interned: every site of every step names the same few dims (a markov loop's 240 sites a step)
const varDims: Dim[] = [];
export const varDim = (id: number): Dim => (varDims[id] ??= `v${id}`);

const plateDims = new Map<string, Dim>();
export const plateDim = (name: string): Dim => {
  let d = plateDims.get(name);
  if (d === undefined) plateDims.set(name, (d = `p:${name}`));
  return d;
};
export const timeDim = (name: string): Dim => `t:${name}`;

/** The site's vectorised plates (a sequential plate's iterations have no dim: Pyro leaves them out of ordinals too). */
export const vectorizedFrames = (site: SampleSite): PlateFrame[] => site.condIndepStack.filter(isVectorizedFrame);

/** The plates a site sits in, by name (vectorizedMarkov time axes excluded). */
export const ordinalOf = (site: SampleSite): Dim[] => vectorizedFrames(site).filter((f) => f.time !== true).map((f) => plateDim(f.name));

const noScope: ReadonlyMap<number, EnumVariable> = new Map();

/** The named dims of one trace's sites, with the sizes and labels seen on the way. */
export class TraceDims {
  readonly plateSizes = new Map<Dim, number>();
  /** The size of every enumerated variable's dim. */
  readonly varSizes = new Map<Dim, number>();
  /** The guide's enumerated variables that some term carries: not summed by the model's contraction. */
  readonly guideDims = new Set<Dim>();
  private readonly names = new Map<Dim, string>();

  constructor(private readonly trace: Trace) {}

  /** A dim as a message names it: `'x'` for a variable, `plate 'p'` for a plate. */
  readonly label = (d: Dim): string => this.names.get(d) ?? d;

  /** The named dims (size > 1) of a tensor of `shape` at `site`, and whether one is a model-enumerated variable. */
  of(site: SampleSite, shape: readonly number[]): { dims: Dim[]; sizes: number[]; dependsOnEnum: boolean } {
    const scope = site.enumScope?.dimToVar ?? noScope;
    const dims: Dim[] = [];
    const sizes: number[] = [];
    let dependsOnEnum = false;
    for (let i = 0; i < shape.length; i++) {
      const size = shape[i]!;
      if (size === 1) continue;
      const d = i - shape.length;
      const frame = site.condIndepStack.find((f) => f.dim === d);
      if (frame !== undefined) {
        if (size !== frame.subsampleSize) throw unknownDimError(this.trace, site, shape, d, scope);
        dims.push(frame.time === true ? timeDim(frame.name) : this.plate(frame.name, size));
      } else {
        const v = scope.get(d);
        if (v === undefined || v.size !== size) throw unknownDimError(this.trace, site, shape, d, scope);
        const vd = this.variable(v);
        dims.push(vd);
        if (v.side === "guide") this.guideDims.add(vd);
        else dependsOnEnum = true;
      }
      sizes.push(size);
    }
    return { dims, sizes, dependsOnEnum };
  }

  /** Notes the site's vectorised plates, whether or not its log-density varies along them. */
  notePlates(site: SampleSite): void {
    for (const f of site.condIndepStack) if (isVectorizedFrame(f) && f.time !== true) this.plate(f.name, f.subsampleSize);
  }

  /** An enumerated variable's dim, its size and label noted. */
  variable(v: EnumVariable): Dim {
    const vd = varDim(v.id);
    this.varSizes.set(vd, v.size);
    if (!this.names.has(vd)) this.names.set(vd, `'${v.name}'`);
    return vd;
  }

  private plate(name: string, size: number): Dim {
    const pd = plateDim(name);
    this.plateSizes.set(pd, size);
    if (!this.names.has(pd)) this.names.set(pd, `plate '${name}'`);
    return pd;
  }
}

function unknownDimError(
  trace: Trace,
  site: SampleSite,
  shape: readonly number[],
  dim: number,
  scope: ReadonlyMap<number, EnumVariable>,
): PPLShapeError {
  const plates = site.condIndepStack.map((f) => `${formatFrame(f)} (size ${f.subsampleSize})`).join(", ") || "none";
  const vars = [...scope].map(([d, v]) => `${v.name}@${d} (size ${v.size})`).join(", ") || "none";
  return new PPLShapeError(
    `at site '${site.name}': invalid log-prob shape ${formatShape(shape)}: dim ${dim} has size ${shape[shape.length + dim]}, ` +
      `but it is neither a plate of this site (plates: ${plates}) nor an enumerated variable in scope (${vars}).\n` +
      "Try one of the following fixes:\n" +
      `- enclose the batched tensor in a plate(...) at dim ${dim}\n` +
      "- .toEvent(...) the distribution being sampled\n" +
      "- if this site uses an enumerated variable from an earlier markov step, increase markov history\n" +
      `Trace shapes:\n${trace.formatShapes()}`,
    { site: site.name, expected: "size 1, a plate's size, or an in-scope enumerated variable at every dim", actual: formatShape(shape) },
  );
}
