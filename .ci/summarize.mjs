// Reads vitest's JSON report and prints the one line CI reads: "N passed, N failed".
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? ".vitest-results.json";
try {
  const r = JSON.parse(readFileSync(file, "utf8"));
  // a test file that fails to load has no tests but is a failure
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).length === 0).length;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed`);
} catch (err) {
  console.log(`could not read ${file}: ${err.message}`);
  console.log("0 passed, 1 failed");
}
