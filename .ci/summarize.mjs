// Prints the one line CI reads: "N passed, N failed". The vitest JSON report
// gives the tests; each further argument "name=exitCode" is one more check
// (the install's warnings, the consumer check), counted as one passed or failed.
import { readFileSync } from "node:fs";

const [file = ".vitest-results.json", ...checks] = process.argv.slice(2);
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(file, "utf8"));
  // a test file that fails to load has no tests but is a failure
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === "failed" && (f.assertionResults ?? []).length === 0).length;
  passed += r.numPassedTests;
  failed += r.numFailedTests + brokenFiles;
} catch (err) {
  console.log(`could not read ${file}: ${err.message}`);
  failed += 1;
}
for (const check of checks) {
  const [name, code] = check.split("=");
  const ok = code === "0";
  console.log(`check ${name}: ${ok ? "passed" : `FAILED (exit ${code})`}`);
  if (ok) passed += 1;
  else failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
