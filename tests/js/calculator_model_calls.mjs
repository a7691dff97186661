// Runs calls of docs/assets/js/calculator-model.mjs in one Node process (tests/test_calculator.py),
// so its shapes and its reading of links are checked without a browser.
// stdin: JSON list of calls [fn, ...args]; stdout: JSON list of their results.
import { readFileSync } from "node:fs";
import * as model from "../../docs/assets/js/calculator-model.mjs";

const calls = JSON.parse(readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(calls.map(([fn, ...args]) => model[fn](...args))));
