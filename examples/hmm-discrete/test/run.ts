// examples/hmm-discrete, and its program run as a user would: a child process, stdout and exit code.
import { scriptRunner } from "example-kit/run-script";

export const { exampleDir, runTsx } = scriptRunner(new URL("..", import.meta.url));
