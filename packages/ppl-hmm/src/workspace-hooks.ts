/**
 * A module resolution hook for running the compiled CLI inside the ppl
 * repository: there the ppl packages' exports point at their TypeScript
 * sources unless the "ppl-compiled" condition is set (their dist/ otherwise).
 * The bin registers this hook only when ppl-core resolves to a .ts file; a
 * published install resolves to dist/ and never loads it.
 */

/** Node's resolve-hook context (the part this hook reads). */
interface ResolveContext {
  conditions: string[];
}

type NextResolve = (specifier: string, context: ResolveContext) => Promise<unknown>;

/** Every resolution with the "ppl-compiled" condition added. */
export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<unknown> {
  return next(specifier, { ...context, conditions: [...context.conditions, "ppl-compiled"] });
}
