// Runs many calls of docs/assets/js/convarith.mjs in one Node process (tests/test_convarith.py).
// stdin: JSON list of calls [{fn, args}]; stdout: JSON list of {ok: result} or {error, isError}.
// JSON cannot spell every bad value a test needs, so a few markers are revived first:
//   {"$js": "NaN" | "Infinity" | "-Infinity" | "undefined"}, {"$js": "hole"} (an array hole),
//   {"$zeros": [rows, cols]} (a large matrix that is cheaper to build here than to send).
import { readFileSync } from "node:fs";
import * as convarith from "../../docs/assets/js/convarith.mjs";

const SPECIAL = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, undefined: undefined };
const HOLE = Symbol("hole");

function revive(value) {
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    value.forEach((v, index) => {
      const r = revive(v);
      if (r !== HOLE) out[index] = r;
    });
    return out;
  }
  if (value === null || typeof value !== "object") return value;
  if ("$js" in value) return value.$js === "hole" ? HOLE : SPECIAL[value.$js];
  if ("$zeros" in value) {
    const [rows, cols] = value.$zeros;
    return Array.from({ length: rows }, () => new Array(cols).fill(0));
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(v)]));
}

// Contributions as compact [inputRow, inputCol, kernelRow, kernelCol] tuples.
const compact = (cells) =>
  cells.map((row) => row.map((terms) => terms.map((t) => [t.inputRow, t.inputCol, t.kernelRow, t.kernelCol])));

const calls = JSON.parse(readFileSync(0, "utf8"));
const results = calls.map(({ fn, args }) => {
  try {
    const result = convarith[fn](...revive(args));
    return { ok: fn.endsWith("Contributions") ? compact(result) : result };
  } catch (e) {
    return { error: String(e?.message ?? e), isError: e instanceof Error };
  }
});
process.stdout.write(JSON.stringify(results));
