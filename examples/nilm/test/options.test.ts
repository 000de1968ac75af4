// The command line: defaults, values, and a clear error for each kind of bad input.
import { describe, expect, it } from "vitest";
import { DEFAULTS, OptionsError, parseOptions } from "../src/options.js";

describe("nilm options", () => {
  it("defaults: three appliances, one day, supervised, exact", () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({ appliances: 3, minutes: 1440, workflow: "supervised", inference: "exact", seed: 0, json: false, figures: true });
    expect(o.steps).toBe(DEFAULTS.steps);
  });

  it("reads every option (and the '--' pnpm passes)", () => {
    const o = parseOptions(["--", "--appliances", "8", "--minutes", "600", "--workflow", "unsupervised", "--inference", "approx", "--seed", "3", "--beam-width", "256", "--json", "--no-figures"]);
    expect(o).toMatchObject({ appliances: 8, minutes: 600, workflow: "unsupervised", inference: "approx", seed: 3, beamWidth: 256, json: true, figures: false });
  });

  it.each([
    [["--appliances", "1"], /--appliances: .*>=2/],
    [["--appliances", "21"], /--appliances: .*<=20/],
    [["--appliances", "two"], /--appliances: .*number/],
    [["--inference", "gibbs"], /--inference: .*"exact".*"approx"/],
    [["--workflow", "semi"], /--workflow: .*"supervised"/],
    [["--minutes", "5"], /--minutes: .*>=10/],
    [["--beam-width", "0"], /--beam-width: .*>=1/],
    [["--colour", "red"], /Unknown option '--colour'.*--appliances M/],
  ])("%j is refused: %s", (argv, message) => {
    expect(() => parseOptions(argv)).toThrowError(OptionsError);
    expect(() => parseOptions(argv)).toThrowError(message);
  });
});
