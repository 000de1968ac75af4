/**
 * The largest tensor ppl lets a model, an enumeration or a contraction ask
 * for, checked before anything is allocated: without it, enumerating
 * `Binomial(1e8)` ran for a minute, filled 4 GB and then failed with a shape
 * error from deep inside tfjs.
 *
 * The default, 2^26 = 67,108,864 elements (256 MiB as float32), is set by
 * the wasm backend: its heap cannot grow past 4 GiB, and a gradient step
 * holds several tensors the size of its largest (the forward value, its
 * exp, the backward's incoming and outgoing gradients), so about a dozen of
 * them must fit. `PPL_MAX_TENSOR_ELEMENTS` (Node) or `setMaxTensorElements`
 * raise or lower it (docs/errors.md, "Resources").
 */
import { PPLConfigError, PPLResourceError } from "./errors.js";

/** The default limit on a tensor's number of elements: 2^26 (256 MiB as float32). */
const DEFAULT_MAX_TENSOR_ELEMENTS = 2 ** 26;

const ENV = "PPL_MAX_TENSOR_ELEMENTS";

let override: number | undefined;
let fromEnv: number | undefined;
let envRead = false;

function checkedLimit(n: number, source: string): number {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new PPLConfigError(`${source} must be a positive integer number of tensor elements, got ${n}`, {
      expected: "a positive integer", actual: String(n),
    });
  }
  return n;
}

/** PPL_MAX_TENSOR_ELEMENTS where there is a Node `process` (read once; absent in browsers and workers). */
function envLimit(): number | undefined {
  if (!envRead) {
    envRead = true;
    const env = (globalThis as unknown as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const raw = env?.[ENV];
    if (raw !== undefined && raw.trim() !== "") fromEnv = checkedLimit(Number(raw), `${ENV}=${raw}`);
  }
  return fromEnv;
}

/**
 * Set the largest tensor (in elements) that ppl lets a model, an
 * enumeration or a contraction ask for; `undefined` restores the default
 * (or `PPL_MAX_TENSOR_ELEMENTS`). A request above it is refused with a
 * {@link PPLResourceError} before anything is allocated.
 *
 * @throws {PPLConfigError} if `elements` is not a positive integer.
 * @example
 * setMaxTensorElements(2 ** 28); // 1 GiB float32 tensors, on a machine with the memory
 */
export function setMaxTensorElements(elements: number | undefined): void {
  override = elements === undefined ? undefined : checkedLimit(elements, "setMaxTensorElements");
}

/**
 * The largest tensor, in elements, that ppl lets a computation ask for:
 * `setMaxTensorElements`'s value, else `PPL_MAX_TENSOR_ELEMENTS`, else
 * 2^26 (256 MiB as float32).
 *
 * @throws {PPLConfigError} if PPL_MAX_TENSOR_ELEMENTS is set but not a positive integer.
 */
export function maxTensorElements(): number {
  return override ?? envLimit() ?? DEFAULT_MAX_TENSOR_ELEMENTS;
}

/** What a refused request was for: the message's subject and fix, and the site or plate it names. */
export interface TensorRequest {
  /** Who asks, as the message starts: "sample('x')", "plate('data')", ... */
  readonly subject: string;
  /** What the tensor would hold, e.g. "its enumerated support (1e8 values) over batch shape [3]". */
  readonly holds: string;
  /** How to ask for less. */
  readonly fix: string;
  /** The sample site the request comes from, if any. */
  readonly site?: string;
  /** The plate the request comes from, if any. */
  readonly plate?: string;
}

const bytes = (elements: number): string => {
  const b = elements * 4;
  return b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${Math.round(b / 2 ** 20)} MiB`;
};

/**
 * Refuse, before allocating, a tensor of `elements` elements above the limit
 * (a product of sizes: pass it as a float, it may exceed 2^53).
 *
 * @throws {PPLResourceError} naming the request, the size it would need and the limit.
 */
export function checkTensorElements(elements: number, request: () => TensorRequest): void {
  const limit = maxTensorElements();
  if (elements <= limit) return;
  const r = request();
  throw new PPLResourceError(
    `${r.subject}: ${r.holds} would need a tensor of ${elements.toLocaleString("en-US")} elements (${bytes(elements)} as float32), ` +
      `above ppl's limit of ${limit.toLocaleString("en-US")} elements (${bytes(limit)}); nothing was allocated.\n` +
      `Fix:\n- ${r.fix}\n` +
      `- or, on a machine with the memory, raise the limit: setMaxTensorElements(n) or ${ENV}=n`,
    {
      ...(r.site === undefined ? {} : { site: r.site }),
      ...(r.plate === undefined ? {} : { plate: r.plate }),
      expected: `at most ${limit} elements`,
      actual: `${elements} elements`,
    },
  );
}
