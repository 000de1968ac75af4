/**
 * The shape rule every log-prob obeys, for the trace and for the ELBOs: a
 * site's log-prob may have size > 1 only at the dims of its enclosing plates
 * (where it must have the plate's size), or at dims the caller allows (the
 * enumeration's, left of maxPlateNesting).
 */
import { PPLShapeError, formatShape } from "../errors.js";
import type { PlateFrame } from "./messages.js";
import type { SampleSite, Trace } from "./trace-struct.js";

/**
 * Throw a PPLShapeError naming the site, the plate and the dim if
 * `logProbShape` breaks the rule. `unowned(dim)` says whether a dim that no
 * plate holds may still have size > 1 there.
 */
export function checkLogProbShape(
  site: SampleSite,
  logProbShape: readonly number[],
  unowned: (dim: number) => boolean,
  trace?: Trace,
): void {
  // built only when an error is thrown
  const table = () => (trace === undefined ? "" : `\nTrace shapes:\n${trace.formatShapes()}`);
  let plateAt: Map<number, PlateFrame> | undefined;
  for (let i = 0; i < logProbShape.length; i++) {
    const size = logProbShape[i]!;
    if (size === 1) continue;
    const dim = i - logProbShape.length;
    // a sequential plate's frames hold no dim
    plateAt ??= new Map(site.condIndepStack.flatMap((f) => (f.dim === undefined ? [] : [[f.dim, f] as const])));
    const frame = plateAt.get(dim);
    if (frame !== undefined) {
      if (size !== frame.subsampleSize) {
        throw new PPLShapeError(
          `at site '${site.name}', invalid log_prob shape ${formatShape(logProbShape)}: plate '${frame.name}' at dim ${dim} has size ${frame.subsampleSize}, ` +
            `but the log-prob has size ${size} there${size === 0 ? " (the value is empty)" : ""}${table()}`,
          { site: site.name, plate: frame.name, expected: String(frame.subsampleSize), actual: String(size) },
        );
      }
      continue;
    }
    if (size !== 0 && unowned(dim)) continue;
    if (size === 0) {
      throw new PPLShapeError(
        `at site '${site.name}': the log-prob is empty (shape ${formatShape(logProbShape)}; value shape ${formatShape(site.value.shape)}), ` +
          "so the site would add nothing to the log-density.\nFix:\n" +
          "- pass the data itself (an empty tensor usually means a slice or filter selected nothing)\n" +
          "- leave the site out when there is nothing to observe" + table(),
        { site: site.name, expected: "a non-empty value", actual: formatShape(site.value.shape) },
      );
    }
    throw new PPLShapeError(
      `at site '${site.name}', invalid log_prob shape ${formatShape(logProbShape)}: dim ${dim} has size ${size} but no plate owns it.\n` +
        "Try one of the following fixes:\n" +
        `- enclose the batched tensor in a plate(...) at dim ${dim}\n` +
        "- .toEvent(...) the distribution being sampled\n" +
        "- transpose the data so its batch dims line up with the plates" + table(),
      { site: site.name, expected: "size 1 or a plate's size at every batch dim", actual: formatShape(logProbShape) },
    );
  }
  if (site.isObserved && site.role === "sample") checkObservedAtPlates(site, table);
}

/**
 * An observed value with size 1 at the dim of a plate of size n > 1 would be
 * broadcast and counted n times: the data was meant to have the plate's size
 * there. (A value of lower rank, which has no such dim, is one value shared
 * on purpose; plates of copies of the whole model are exempt.)
 */
function checkObservedAtPlates(site: SampleSite, table: () => string): void {
  const batchRank = site.value.rank - site.fn.eventShape.length;
  for (const f of site.condIndepStack) {
    if (f.dim === undefined || f.replicate === true || f.subsampleSize === 1) continue;
    const at = batchRank + f.dim;
    if (at < 0 || site.value.shape[at] !== 1) continue;
    throw new PPLShapeError(
      `at site '${site.name}': the observed value has shape ${formatShape(site.value.shape)}, with size 1 at dim ${f.dim}, ` +
        `where plate '${f.name}' has size ${f.subsampleSize}: the one value would be broadcast and counted ${f.subsampleSize} times.\n` +
        `Fix:\n- pass the data for all ${f.subsampleSize} members of '${f.name}' (size ${f.subsampleSize} at dim ${f.dim})\n` +
        `- or, if it is one observation, move the site out of plate('${f.name}')` + table(),
      { site: site.name, plate: f.name, expected: `size ${f.subsampleSize} at dim ${f.dim}`, actual: formatShape(site.value.shape) },
    );
  }
}
