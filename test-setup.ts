// Every test file runs on the backend ppl chooses (PPL_BACKEND to override).
import { ready } from "ppl-core";

await ready();
