// Runs many calls of docs/assets/js/port.mjs in one Node process (tests/test_port.py).
// stdin: JSON list of calls [{fn, args}]; stdout: JSON list of {ok: result} or {error, field, isError}.
import { readFileSync } from "node:fs";
import * as port from "../../docs/assets/js/port.mjs";

const calls = JSON.parse(readFileSync(0, "utf8"));
const results = calls.map(({ fn, args }) => {
  try {
    return { ok: port[fn](...args) };
  } catch (e) {
    return { error: String(e?.message ?? e), field: e?.field ?? null, isError: e instanceof Error };
  }
});
process.stdout.write(JSON.stringify(results));
