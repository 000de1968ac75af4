/**
 * `pnpm --filter nilm disaggregate DATA.csv …`: the disaggregate command
 * run as a script (exit 0 done, 2 bad data or options, 1 a fault of ours).
 */
import { withoutPnpmSeparator } from "example-kit/cli";
import { run } from "./disaggregate-command.js";
import { HouseDataError } from "./house-csv.js";

run(withoutPnpmSeparator(process.argv.slice(2))).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`disaggregate: error: ${(err as Error).message}\n`);
    process.exit(err instanceof HouseDataError ? 2 : 1);
  },
);
