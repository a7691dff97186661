/**
 * explorer-model.mjs: everything the explorer of docs/interactive/explorer.md shows, without the
 * page (importable from Node).
 *
 * A reader picks a convolution or a transposed convolution, sizes and options (a [height, width]
 * pair each); explore() validates them and computes the drawn grid: the padded input
 * (convolution) or the stretched input (transposed, primes for its own arguments: s′ - 1 zeros
 * between pixels, d′(k′ - 1) - p′ zeros of padding, a = output_padding more at the bottom and
 * right). The other functions turn that model into what the page says: the tables, the sum behind
 * the selected output cell, the output shape with the numbers substituted, and the PyTorch call
 * that prints the same grid. explorer.mjs draws them.
 *
 * Every number comes from convarith.mjs (the torch-tested reference). Bad settings throw a
 * SettingsError whose message names the argument and whose fields the page marks invalid.
 */
import {
  checkInt,
  conv2d,
  convContributions,
  conv2dOutputShape,
  convTranspose2d,
  convTranspose2dOutputShape,
  convTransposeContributions,
} from "./convarith.mjs";
import { parseField } from "./parse-field.mjs";

/** The explorer draws grids of at most this many rows and columns. */
export const DRAW_LIMIT = 32;
/** A sum lists at most this many products; the rest are counted ("… and 12 more"). */
const SHOWN_TERMS = 36;

/** Form fields: key, the name messages use, the smallest valid value, and the default. */
export const FIELDS = [
  { key: "ih", name: "input height", min: 1, value: "5" },
  { key: "iw", name: "input width", min: 1, value: "5" },
  { key: "kh", name: "kernel height", min: 1, value: "3" },
  { key: "kw", name: "kernel width", min: 1, value: "3" },
  { key: "sh", name: "stride (height)", min: 1, value: "2" },
  { key: "sw", name: "stride (width)", min: 1, value: "2" },
  { key: "ph", name: "padding (height)", min: 0, value: "1" },
  { key: "pw", name: "padding (width)", min: 0, value: "1" },
  { key: "dh", name: "dilation (height)", min: 1, value: "1" },
  { key: "dw", name: "dilation (width)", min: 1, value: "1" },
  { key: "oph", name: "output_padding (height)", min: 0, value: "0" },
  { key: "opw", name: "output_padding (width)", min: 0, value: "0" },
  { key: "seed", name: "seed", min: 0, value: "1" },
];

export const DEFAULTS = Object.freeze({
  mode: "conv",
  values: "integers",
  ...Object.fromEntries(FIELDS.map((f) => [f.key, f.value])),
});

/** An Error that knows which form fields it is about, so the page can mark them invalid. */
export class SettingsError extends Error {
  constructor(message, fields) {
    super(message);
    this.fields = fields;
  }
}

/** Fields an error message of conv2dOutputShape / convTranspose2dOutputShape is about. */
function fieldsOfShapeError(message) {
  const axis = / in width\b/.test(message) ? "w" : "h";
  if (message.startsWith("outputPadding")) return ["op" + axis, "s" + axis, "d" + axis];
  if (message.startsWith("kernel")) return ["k" + axis, "i" + axis, "p" + axis, "d" + axis];
  if (message.startsWith("padding")) return ["p" + axis, "k" + axis, "i" + axis];
  return ["ih", "iw", "kh", "kw", "sh", "sw"]; // output too large
}

/** A small seeded generator (mulberry32): the same seed gives the same values in every browser. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The values of x and w. "integers": x counts 0..8 row by row (then starts again), w cycles
 * through 0, 1, 2, shifted by one per row (small numbers whose sums are easy to follow).
 * "random": uniform in [-1, 1] with one decimal, from the seed.
 */
export function makeValues(values, seed, [ih, iw], [kh, kw]) {
  if (values === "random") {
    const next = random(seed);
    const draw = () => Math.round((next() * 2 - 1) * 10) / 10 + 0;
    const x = Array.from({ length: ih }, () => Array.from({ length: iw }, draw));
    const w = Array.from({ length: kh }, () => Array.from({ length: kw }, draw));
    return { x, w };
  }
  const x = Array.from({ length: ih }, (_, r) => Array.from({ length: iw }, (_, c) => (r * iw + c) % 9));
  const w = Array.from({ length: kh }, (_, r) => Array.from({ length: kw }, (_, c) => (r * (kw + 1) + c) % 3));
  return { x, w };
}

/** Output values as the page and the PyTorch snippet print them: round(v, 2), no "-0". */
export function formatOutput(v, decimals) {
  const rounded = Math.round(v * 100) / 100 + 0;
  return rounded.toFixed(decimals).replace(/^-(0\.?0*)$/, "$1");
}

/** Input and kernel values as shown in the grids and written into the snippet. */
export function formatValue(v, decimals) {
  return (v + 0).toFixed(decimals);
}

/**
 * Fields the settings leave unused (the page disables them, explore() does not read them):
 * output_padding except for a transposed convolution, the seed except for random values.
 */
export function unusedFields(raw) {
  return [...(raw.mode === "transposed" ? [] : ["oph", "opw"]), ...(raw.values === "random" ? [] : ["seed"])];
}

/** Every used field as an integer; a SettingsError naming the first one that is not valid. */
function readFields(raw) {
  const unused = unusedFields(raw);
  const v = {};
  for (const f of FIELDS) {
    if (unused.includes(f.key)) continue;
    try {
      v[f.key] = checkInt(f.name, parseField(raw[f.key] ?? ""), f.min);
    } catch (error) {
      throw new SettingsError(error.message, [f.key]);
    }
  }
  return v;
}

/**
 * Per axis, the grid the kernel slides over: {before: rows added above (negative when cropped),
 * size, extra: output_padding rows at the end}. The padded input, or the stretched input, which
 * is cropped when p′ > d′(k′ − 1).
 */
function slidGrid(transposed, xShape, wShape, opts) {
  return [0, 1].map((a) => {
    if (!transposed) return { before: opts.padding[a], size: xShape[a] + 2 * opts.padding[a], extra: 0 };
    const q = opts.dilation[a] * (wShape[a] - 1) - opts.padding[a];
    const extra = opts.outputPadding[a];
    return { before: q, size: (xShape[a] - 1) * opts.stride[a] + 1 + 2 * q + extra, extra };
  });
}

/** Throws a SettingsError when a grid the page would draw exceeds DRAW_LIMIT. */
function checkDrawable({ transposed, xShape, wShape, grid, outShape }) {
  const limit = (what, [rows, cols], fields) => {
    if (rows > DRAW_LIMIT || cols > DRAW_LIMIT) {
      throw new SettingsError(
        `${what} would be ${rows} x ${cols}: too large to draw; the explorer draws at most ` +
          `${DRAW_LIMIT} rows and ${DRAW_LIMIT} columns (make the sizes, stride or padding smaller)`,
        fields,
      );
    }
  };
  limit("the input", xShape, ["ih", "iw"]);
  limit("the kernel", wShape, ["kh", "kw"]);
  limit(transposed ? "the stretched input" : "the padded input", [grid[0].size, grid[1].size],
    transposed ? ["ih", "iw", "sh", "sw", "kh", "kw"] : ["ih", "iw", "ph", "pw"]);
  limit("the output", outShape, ["ih", "iw", "kh", "kw", "sh", "sw"]);
}

/**
 * Validate raw settings (strings from the form) and compute everything the page shows.
 * Throws SettingsError (message from convarith.mjs, or the drawing limit) on bad settings.
 */
export function explore(raw) {
  const transposed = raw.mode === "transposed";
  const values = raw.values === "random" ? "random" : "integers";
  const v = readFields(raw);
  const xShape = [v.ih, v.iw];
  const wShape = [v.kh, v.kw];
  const opts = { stride: [v.sh, v.sw], padding: [v.ph, v.pw], dilation: [v.dh, v.dw] };
  if (transposed) opts.outputPadding = [v.oph, v.opw];
  let outShape;
  try {
    outShape = (transposed ? convTranspose2dOutputShape : conv2dOutputShape)(xShape, wShape, opts);
  } catch (error) {
    throw new SettingsError(error.message, fieldsOfShapeError(error.message));
  }
  const grid = slidGrid(transposed, xShape, wShape, opts);
  checkDrawable({ transposed, xShape, wShape, grid, outShape });
  const { x, w } = makeValues(values, v.seed, xShape, wShape);
  return {
    transposed,
    values,
    v,
    opts,
    xShape,
    wShape,
    outShape,
    grid,
    x,
    w,
    y: (transposed ? convTranspose2d : conv2d)(x, w, opts),
    terms: (transposed ? convTransposeContributions : convContributions)(x, w, opts),
    inputDecimals: values === "random" ? 1 : 0,
    outputDecimals: values === "random" ? 2 : 0,
  };
}

/**
 * What row or column g of the drawn grid holds along axis a: {kind: "input", index} for an input
 * row (column), else kind "padding", "inserted" (zeros between stretched pixels) or "outputPadding".
 */
function axisCell(model, a, g) {
  const { before, size, extra } = model.grid[a];
  if (g >= size - extra) return { kind: "outputPadding" };
  const u = g - before;
  const s = model.transposed ? model.opts.stride[a] : 1;
  if (u < 0 || u > (model.xShape[a] - 1) * s) return { kind: "padding" };
  if (u % s !== 0) return { kind: "inserted" };
  return { kind: "input", index: u / s };
}

/**
 * What the cell (gr, gc) of the drawn grid holds: {kind: "input", row, col} for an input pixel,
 * else kind "padding", "inserted" (a zero between stretched pixels) or "outputPadding".
 */
export function gridCell(model, gr, gc) {
  const kinds = [axisCell(model, 0, gr), axisCell(model, 1, gc)];
  for (const order of ["outputPadding", "padding", "inserted"]) {
    if (kinds.some((k) => k.kind === order)) return { kind: order };
  }
  return { kind: "input", row: kinds[0].index, col: kinds[1].index };
}

/**
 * The grid cells under the kernel for output cell (r, c): [{gr, gc, kr, kc, contributes}] where
 * (kr, kc) is the tap of w that sits there and contributes says its product is in the sum (the tap
 * lies on an input pixel). A transposed convolution is drawn as a stride-1 convolution of the
 * stretched input with the kernel rotated by 180 degrees, so its taps run backwards.
 */
export function windowCells(model, r, c) {
  const [kh, kw] = model.wShape;
  const [dh, dw] = model.opts.dilation;
  const [sh, sw] = model.transposed ? [1, 1] : model.opts.stride;
  const used = new Set(model.terms[r][c].map((t) => `${t.kernelRow},${t.kernelCol}`));
  const cells = [];
  for (let t0 = 0; t0 < kh; t0++) {
    for (let t1 = 0; t1 < kw; t1++) {
      const [gr, gc] = [r * sh + t0 * dh, c * sw + t1 * dw];
      const [kr, kc] = model.transposed ? [kh - 1 - t0, kw - 1 - t1] : [t0, t1];
      const contributes = used.has(`${kr},${kc}`) && gridCell(model, gr, gc).kind === "input";
      cells.push({ gr, gc, kr, kc, contributes });
    }
  }
  return cells;
}

// --- the selected output cell -------------------------------------------------------------------

/** The output cell nearest to (r, c). */
export function clampCell(model, r, c) {
  const [oh, ow] = model.outShape;
  return [Math.max(0, Math.min(oh - 1, r)), Math.max(0, Math.min(ow - 1, c))];
}

/** The output cell of step `index` (cells are stepped through row by row). */
export function cellAtStep(model, index) {
  const ow = model.outShape[1];
  return [Math.floor(index / ow), index % ow];
}

const ARROWS = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };

/** Where a key moves the selection from (r, c) in the output grid; null for other keys. */
export function cellAfterKey(model, [r, c], key) {
  if (ARROWS[key]) return [r + ARROWS[key][0], c + ARROWS[key][1]];
  if (key === "Home") return [r, 0];
  if (key === "End") return [r, model.outShape[1] - 1];
  return null;
}

/** Everything the page says about the selected output cell (r, c). */
export function describeSelection(model, r, c) {
  const explanation = explainCell(model, r, c);
  const [oh, ow] = model.outShape;
  const step = r * ow + c;
  return {
    explanation,
    step,
    steps: oh * ow,
    heading:
      `Output cell y[${r}][${c}] (row ${r}, column ${c}): ` +
      `${explanation.count} product(s) of an input pixel and a kernel tap, summed`,
    valueText: `output cell y[${r}][${c}] = ${explanation.value}`,
    position: `step ${step + 1} of ${oh * ow}`,
    live:
      `Output ${oh} × ${ow}. Selected y[${r}][${c}] = ${explanation.value}, ` +
      `the sum of ${explanation.count} product(s).`,
  };
}

const parenthesize = (text) => (text.startsWith("-") ? `(${text})` : text);

/** The sum behind output cell (r, c): symbolic and numeric lines, and the value. */
export function explainCell(model, r, c) {
  const terms = model.terms[r][c];
  const value = formatOutput(model.y[r][c], model.outputDecimals);
  const name = `y[${r}][${c}]`;
  if (terms.length === 0) {
    return {
      name,
      value,
      count: 0,
      symbolic: `${name} = 0`,
      numeric: model.transposed
        ? `(no input pixel reaches this cell: the kernel covers only inserted zeros, padding or output_padding) = ${value}`
        : `(every kernel tap falls on padding) = ${value}`,
    };
  }
  const shown = terms.slice(0, SHOWN_TERMS);
  const more = terms.length > shown.length ? ` + … (${terms.length - shown.length} more products)` : "";
  const symbolic = shown.map((t) => `x[${t.inputRow}][${t.inputCol}]·w[${t.kernelRow}][${t.kernelCol}]`);
  const numeric = shown.map(
    (t) =>
      `${parenthesize(formatValue(model.x[t.inputRow][t.inputCol], model.inputDecimals))}·` +
      parenthesize(formatValue(model.w[t.kernelRow][t.kernelCol], model.inputDecimals)),
  );
  return {
    name,
    value,
    count: terms.length,
    symbolic: `${name} = ${symbolic.join(" + ")}${more}`,
    numeric: `= ${numeric.join(" + ")}${more} = ${value}`,
  };
}

/** The output-size formula per axis, with the numbers substituted. */
export function shapeFormulas(model) {
  return ["height", "width"].map((axis, a) => {
    const i = model.xShape[a];
    const k = model.wShape[a];
    const s = model.opts.stride[a];
    const p = model.opts.padding[a];
    const d = model.opts.dilation[a];
    const o = model.outShape[a];
    if (model.transposed) {
      const op = model.opts.outputPadding[a];
      return (
        `${axis}: o′ = (i′ − 1)·s′ − 2p′ + d′(k′ − 1) + a + 1 = ` +
        `(${i} − 1)·${s} − 2·${p} + ${d}·(${k} − 1) + ${op} + 1 = ${o}`
      );
    }
    return `${axis}: o = ⌊(i + 2p − d(k − 1) − 1) / s⌋ + 1 = ⌊(${i} + 2·${p} − ${d}·(${k} − 1) − 1) / ${s}⌋ + 1 = ${o}`;
  });
}

/** What the drawn grid is, in words, with the numbers. */
export function gridDescription(model) {
  const [gh, gw] = [model.grid[0].size, model.grid[1].size];
  if (!model.transposed) {
    const [ph, pw] = model.opts.padding;
    return (
      `Padded input, ${gh} × ${gw}: the ${model.xShape[0]} × ${model.xShape[1]} input with ${ph} row(s) of zeros ` +
      `above and below and ${pw} column(s) left and right. The kernel moves ${model.opts.stride[0]} row(s) ` +
      `and ${model.opts.stride[1]} column(s) per step.`
    );
  }
  const [sh, sw] = model.opts.stride;
  const [qh, qw] = [model.grid[0].before, model.grid[1].before];
  const [oph, opw] = model.opts.outputPadding;
  const pad = (q, what) => (q >= 0 ? `${q} ${what} of zeros each side` : `${-q} ${what} cropped each side`);
  return (
    `Stretched input, ${gh} × ${gw}: s′ − 1 = ${sh - 1} zero row(s) and ${sw - 1} zero column(s) inserted ` +
    `between input pixels; padding d′(k′ − 1) − p′ gives ${pad(qh, "row(s)")} and ${pad(qw, "column(s)")}` +
    (oph || opw
      ? `; output_padding a adds ${oph} row(s) of zeros at the bottom and ${opw} column(s) at the right, ` +
        `which the kernel still reaches. `
      : ". ") +
    `The kernel, rotated by 180°, slides over it with stride 1.` +
    outputPaddingNote(model)
  );
}

/**
 * What output_padding a does to the output, per axis: it only chooses the output size. The full
 * stamped result has (i′ − 1)s′ + d′(k′ − 1) + 1 rows; p′ crops p′ rows at the top and p′ − a at
 * the bottom. So with a ≤ p′ the a extra rows are rows of that result the padding would otherwise
 * crop (computed like any other row); with a > p′ the last a − p′ rows lie beyond every stamp
 * and are 0. The other rows never change.
 */
export function outputPaddingNote(model) {
  const notes = [];
  ["row", "column"].forEach((what, axis) => {
    const a = model.opts.outputPadding[axis];
    const p = model.opts.padding[axis];
    if (a === 0) return;
    const where = axis === 0 ? "bottom" : "right";
    notes.push(
      a <= p
        ? `a = ${a} ≤ p′ = ${p} in ${axis === 0 ? "height" : "width"}: the last ${a} output ${what}(s) ` +
          `at the ${where} are ${what}s of the full stamped result that the padding would otherwise crop, computed like any other.`
        : `a = ${a} > p′ = ${p} in ${axis === 0 ? "height" : "width"}: the last ${a - p} output ` +
          `${what}(s) at the ${where} lie beyond every stamp of the kernel and are 0.`,
    );
  });
  if (notes.length === 0) return "";
  return ` output_padding only chooses the output size; the other rows and columns are the same as with a = 0. ${notes.join(" ")}`;
}

/** A tensor literal for the snippet: right-aligned values, one row per line, reshaped to NCHW. */
function tensorLiteral(m, name, decimals) {
  const width = Math.max(...m.flat().map((v) => formatValue(v, decimals).length));
  const rows = m.map((row) => "[" + row.map((v) => formatValue(v, decimals).padStart(width)).join(", ") + "]");
  const indent = " ".repeat(`${name} = torch.tensor([`.length);
  return (
    `${name} = torch.tensor([${rows.join(",\n" + indent)}],\n` +
    `${" ".repeat(`${name} = torch.tensor(`.length)}dtype=torch.float64).reshape(1, 1, ${m.length}, ${m[0].length})`
  );
}

/** The Python a reader can paste to get the same grid from PyTorch. */
export function pytorchCode(model) {
  const pair = ([a, b]) => `(${a}, ${b})`;
  const o = model.opts;
  const call = model.transposed
    ? `F.conv_transpose2d(x, w, stride=${pair(o.stride)}, padding=${pair(o.padding)},\n` +
      `                       output_padding=${pair(o.outputPadding)}, dilation=${pair(o.dilation)})`
    : `F.conv2d(x, w, stride=${pair(o.stride)}, padding=${pair(o.padding)}, dilation=${pair(o.dilation)})`;
  const cells = model.y.map((row) => row.map((v) => formatOutput(v, model.outputDecimals)));
  const width = Math.max(...cells.flat().map((t) => t.length));
  return [
    "import torch",
    "import torch.nn.functional as F",
    "",
    "# (batch, channels, height, width): one image, one channel",
    tensorLiteral(model.x, "x", model.inputDecimals),
    tensorLiteral(model.w, "w", model.inputDecimals),
    `y = ${call}`,
    "print(tuple(y.shape))",
    "for row in y[0, 0].tolist():",
    `    print(" ".join(f"{round(v, 2) + 0:${width}.${model.outputDecimals}f}" for v in row))`,
    `#> (1, 1, ${model.outShape[0]}, ${model.outShape[1]})`,
    ...cells.map((row) => `#> ${row.map((t) => t.padStart(width)).join(" ")}`),
  ].join("\n");
}

// --- the tables ---------------------------------------------------------------------------------

const ADDED_ZERO = { padding: "padding zero", inserted: "inserted zero", outputPadding: "output_padding zero" };

/** A table of a matrix: {id, region, caption, rows, cols, rowLabel, colLabel, cell}. */
function matrixTable(id, region, name, m, format) {
  return {
    id,
    region,
    caption: `${name}, ${m.length} × ${m[0].length}`,
    rows: m.length,
    cols: m[0].length,
    rowLabel: String,
    colLabel: String,
    cell: (r, c) => ({ text: format(m[r][c]) }),
  };
}

/** The drawn grid's table: headers name input rows and columns, · marks the added zeros. */
function slidGridTable(model) {
  const format = (v) => formatValue(v, model.inputDecimals);
  const header = (a) => (g) => {
    const cell = axisCell(model, a, g);
    return cell.kind === "input" ? String(cell.index) : "·";
  };
  const [gh, gw] = [model.grid[0].size, model.grid[1].size];
  const title = model.transposed ? "Stretched input" : "Padded input";
  return {
    id: "explorer-grid",
    region: title,
    caption: `${title}, ${gh} × ${gw} (headers: input row and column; · marks added zeros)`,
    rows: gh,
    cols: gw,
    rowLabel: header(0),
    colLabel: header(1),
    cell: (gr, gc) => {
      const info = gridCell(model, gr, gc);
      if (info.kind === "input") return { text: format(model.x[info.row][info.col]), cls: "cv-input" };
      return { text: format(0), cls: `cv-${info.kind}`, label: ADDED_ZERO[info.kind] };
    },
  };
}

/**
 * The tables the explorer draws, each {id, region (the label of its scrolling region), caption,
 * rows, cols, rowLabel(r), colLabel(c), cell(r, c) -> {text, cls?, label? (screen-reader text)}}.
 * input (the input x) and flipped (the kernel rotated by 180°) are null for a convolution, whose
 * padded input shows x already; output is the grid the reader selects cells in.
 */
export function tables(model) {
  const format = (v) => formatValue(v, model.inputDecimals);
  const [kh, kw] = model.wShape;
  const [oh, ow] = model.outShape;
  const flipped = model.transposed && {
    id: null,
    region: "Rotated kernel",
    caption: "Kernel rotated by 180°, as it slides over the stretched input",
    rows: kh,
    cols: kw,
    rowLabel: (r) => String(kh - 1 - r),
    colLabel: (c) => String(kw - 1 - c),
    cell: (r, c) => ({ text: format(model.w[kh - 1 - r][kw - 1 - c]) }),
  };
  const output = matrixTable("explorer-output", "Output", "Output y", model.y, (v) => formatOutput(v, model.outputDecimals));
  output.caption += " (select a cell: click, or arrow keys)";
  output.label = `Output y, ${oh} by ${ow}`;
  return {
    input: model.transposed ? matrixTable("explorer-input", "Input", "Input x", model.x, format) : null,
    grid: slidGridTable(model),
    kernel: matrixTable("explorer-kernel", "Kernel", "Kernel w", model.w, format),
    flipped: flipped || null,
    output,
  };
}

// --- the snippet's highlighting -----------------------------------------------------------------

const PY_KEYWORDS = new Set(["import", "from", "as", "for", "in"]);
const PY_BUILTINS = new Set(["print", "round", "tuple"]);
const PY_TOKEN =
  /(#.*$)|("(?:[^"\\]|\\.)*"|f"(?:[^"\\]|\\.)*")|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|(\s+)|([^\sA-Za-z0-9_])/gm;

/**
 * The snippet cut into [text, Pygments class or null] pieces, so that the page can draw it like
 * the site's other code blocks (the same classes Pygments gives them).
 */
export function pythonTokens(code) {
  const pieces = [];
  for (const [text, comment, string, number, name, space] of code.matchAll(PY_TOKEN)) {
    let cls = null;
    if (comment) cls = "c1";
    else if (string) cls = "sa s2";
    else if (number) cls = text.includes(".") ? "mf" : "mi";
    else if (name && PY_KEYWORDS.has(text)) cls = text === "for" || text === "in" ? "k" : "kn";
    else if (name) cls = PY_BUILTINS.has(text) ? "nb" : "n";
    else if (!space) cls = /[=+\-*/]/.test(text) ? "o" : "p";
    pieces.push([text, cls]);
  }
  return pieces;
}
