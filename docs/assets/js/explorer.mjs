/**
 * explorer.mjs: the interactive explorer of docs/interactive/explorer.md.
 *
 * A reader picks a convolution or a transposed convolution, sizes and options (a [height, width]
 * pair each); the explorer draws the padded input (convolution) or the stretched input
 * (transposed, primes for its own arguments: s′ - 1 zeros between pixels, d′(k′ - 1) - p′ zeros of
 * padding, a = output_padding more at the bottom and right), steps the kernel over it, shows the sum behind the selected output cell, the
 * output shape with the numbers substituted, and the PyTorch call that prints the same grid.
 *
 * Every number comes from convarith.mjs (the torch-tested reference); this module only reads the
 * form, draws and explains. Bad settings never throw out of an event handler: the Error message
 * (which names the argument) is shown next to the form and the results are cleared.
 *
 * The top half is pure (importable from Node: parseField, explore, pytorchCode, ...); mount()
 * wires it to the page.
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
import { element } from "./dom.mjs";

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

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * What a text field holds: a number if the text is a decimal number ("2", "2.5", "1e9"), else the
 * text itself, so that checkInt rejects it with the text quoted ("stride (height) must be an
 * integer >= 1, got \"abc\""). Nothing is coerced silently.
 */
export function parseField(text) {
  const trimmed = String(text).trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : String(text);
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
 * Validate raw settings (strings from the form) and compute everything the page shows.
 * Throws SettingsError (message from convarith.mjs, or the drawing limit) on bad settings.
 */
export function explore(raw) {
  const transposed = raw.mode === "transposed";
  const randomValues = raw.values === "random";
  const v = {};
  for (const f of FIELDS) {
    if ((f.key === "oph" || f.key === "opw") && !transposed) continue;
    if (f.key === "seed" && !randomValues) continue;
    try {
      v[f.key] = checkInt(f.name, parseField(raw[f.key] ?? ""), f.min);
    } catch (error) {
      throw new SettingsError(error.message, [f.key]);
    }
  }
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
  // The grid the kernel slides over: padded input, or stretched input (may be cropped when p > d(k-1)).
  const grid = [0, 1].map((a) => {
    if (!transposed) return { before: opts.padding[a], size: xShape[a] + 2 * opts.padding[a], extra: 0 };
    const q = opts.dilation[a] * (wShape[a] - 1) - opts.padding[a];
    const extra = opts.outputPadding[a];
    return { before: q, size: (xShape[a] - 1) * opts.stride[a] + 1 + 2 * q + extra, extra };
  });
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

  const { x, w } = makeValues(randomValues ? "random" : "integers", v.seed, xShape, wShape);
  const y = (transposed ? convTranspose2d : conv2d)(x, w, opts);
  const terms = (transposed ? convTransposeContributions : convContributions)(x, w, opts);
  return {
    transposed,
    values: randomValues ? "random" : "integers",
    v,
    opts,
    xShape,
    wShape,
    outShape,
    grid,
    x,
    w,
    y,
    terms,
    inputDecimals: randomValues ? 1 : 0,
    outputDecimals: randomValues ? 2 : 0,
  };
}

/**
 * What the cell (gr, gc) of the drawn grid holds: {kind: "input", row, col} for an input pixel,
 * else kind "padding", "inserted" (a zero between stretched pixels) or "outputPadding".
 */
export function gridCell(model, gr, gc) {
  const kinds = [gr, gc].map((g, a) => {
    const { before, size, extra } = model.grid[a];
    if (g >= size - extra) return { kind: "outputPadding" };
    const u = g - before;
    const s = model.transposed ? model.opts.stride[a] : 1;
    if (u < 0 || u > (model.xShape[a] - 1) * s) return { kind: "padding" };
    if (u % s !== 0) return { kind: "inserted" };
    return { kind: "input", index: u / s };
  });
  for (const order of ["outputPadding", "padding", "inserted"]) {
    if (kinds.some((k) => k.kind === order)) return { kind: order };
  }
  return { kind: "input", row: kinds[0].index, col: kinds[1].index };
}

/**
 * The grid cells under the kernel for output cell (r, c): [{gr, gc, kr, kc}] where (kr, kc) is
 * the tap of w that sits there. A transposed convolution is drawn as a stride-1 convolution of
 * the stretched input with the kernel rotated by 180 degrees, so its taps run backwards.
 */
export function windowCells(model, r, c) {
  const [kh, kw] = model.wShape;
  const [dh, dw] = model.opts.dilation;
  const [sh, sw] = model.transposed ? [1, 1] : model.opts.stride;
  const cells = [];
  for (let t0 = 0; t0 < kh; t0++) {
    for (let t1 = 0; t1 < kw; t1++) {
      cells.push({
        gr: r * sh + t0 * dh,
        gc: c * sw + t1 * dw,
        kr: model.transposed ? kh - 1 - t0 : t0,
        kc: model.transposed ? kw - 1 - t1 : t1,
      });
    }
  }
  return cells;
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

/** The Python a reader can paste to get the same grid from PyTorch. */
export function pytorchCode(model) {
  const decimals = model.inputDecimals;
  const matrix = (m, name) => {
    const width = Math.max(...m.flat().map((v) => formatValue(v, decimals).length));
    const rows = m.map((row) => "[" + row.map((v) => formatValue(v, decimals).padStart(width)).join(", ") + "]");
    const indent = " ".repeat(`${name} = torch.tensor([`.length);
    return (
      `${name} = torch.tensor([${rows.join(",\n" + indent)}],\n` +
      `${" ".repeat(`${name} = torch.tensor(`.length)}dtype=torch.float64).reshape(1, 1, ${m.length}, ${m[0].length})`
    );
  };
  const pair = ([a, b]) => `(${a}, ${b})`;
  const o = model.opts;
  const call = model.transposed
    ? `F.conv_transpose2d(x, w, stride=${pair(o.stride)}, padding=${pair(o.padding)},\n` +
      `                       output_padding=${pair(o.outputPadding)}, dilation=${pair(o.dilation)})`
    : `F.conv2d(x, w, stride=${pair(o.stride)}, padding=${pair(o.padding)}, dilation=${pair(o.dilation)})`;
  const cells = model.y.flat().map((v) => formatOutput(v, model.outputDecimals));
  const width = Math.max(...cells.map((t) => t.length));
  const printed = model.y.map((row) =>
    row.map((v) => formatOutput(v, model.outputDecimals).padStart(width)).join(" "),
  );
  return [
    "import torch",
    "import torch.nn.functional as F",
    "",
    "# (batch, channels, height, width): one image, one channel",
    matrix(model.x, "x"),
    matrix(model.w, "w"),
    `y = ${call}`,
    "print(tuple(y.shape))",
    "for row in y[0, 0].tolist():",
    `    print(" ".join(f"{round(v, 2) + 0:${width}.${model.outputDecimals}f}" for v in row))`,
    `#> (1, 1, ${model.outShape[0]}, ${model.outShape[1]})`,
    ...printed.map((line) => `#> ${line}`),
  ].join("\n");
}

// --- the page ---------------------------------------------------------------------------------

const PY_KEYWORDS = new Set(["import", "from", "as", "for", "in"]);

/** Pygments-style spans for the snippet, so it looks like the site's other code blocks. */
function highlightPython(code, into) {
  into.textContent = "";
  const token = /(#.*$)|("(?:[^"\\]|\\.)*"|f"(?:[^"\\]|\\.)*")|(\b\d+(?:\.\d+)?\b)|([A-Za-z_][A-Za-z0-9_]*)|(\s+)|([^\sA-Za-z0-9_])/gm;
  let match;
  while ((match = token.exec(code)) !== null) {
    const [text, comment, string, number, name, space] = match;
    let cls = null;
    if (comment) cls = "c1";
    else if (string) cls = "sa s2";
    else if (number) cls = text.includes(".") ? "mf" : "mi";
    else if (name) cls = PY_KEYWORDS.has(text) ? (text === "for" || text === "in" ? "k" : "kn") : text === "print" || text === "round" || text === "tuple" ? "nb" : "n";
    else if (!space) cls = /[=+\-*/]/.test(text) ? "o" : "p";
    if (cls === null) {
      into.append(text);
    } else {
      const span = document.createElement("span");
      span.className = cls;
      span.textContent = text;
      into.append(span);
    }
  }
}

function numberField(key, labelText) {
  const id = `explorer-${key}`;
  const field = FIELDS.find((f) => f.key === key);
  return element(
    "div",
    { class: "cv-field" },
    element("label", { for: id, text: labelText }),
    element("input", {
      id,
      name: key,
      type: "text",
      inputmode: "numeric",
      autocomplete: "off",
      spellcheck: "false",
      size: "5",
      value: field.value,
      "aria-describedby": "explorer-message",
    }),
  );
}

/** A legend's letter: plain for a convolution, primed for a transposed convolution's own arguments. */
function letter(symbol) {
  return element("span", { class: "cv-letter", "data-letter": symbol, text: symbol });
}

function pairFieldset(legend, keyH, keyW, extraClass = "", symbol = "") {
  return element(
    "fieldset",
    { class: `cv-pair ${extraClass}`.trim() },
    symbol ? element("legend", {}, `${legend} `, letter(symbol)) : element("legend", { text: legend }),
    numberField(keyH, "height"),
    numberField(keyW, "width"),
  );
}

function radioGroup(name, legend, options) {
  const fieldset = element("fieldset", { class: "cv-radios" }, element("legend", { text: legend }));
  options.forEach(([value, text], index) => {
    const id = `explorer-${name}-${value}`;
    const input = element("input", { type: "radio", name, id, value });
    if (index === 0) input.checked = true;
    fieldset.append(element("div", { class: "cv-radio" }, input, element("label", { for: id, text })));
  });
  return fieldset;
}

function buildForm() {
  const form = element(
    "form",
    { class: "cv-form", "aria-label": "Explorer settings", novalidate: "" },
    radioGroup("mode", "Operation", [
      ["conv", "Convolution (F.conv2d)"],
      ["transposed", "Transposed convolution (F.conv_transpose2d)"],
    ]),
    element(
      "div",
      { class: "cv-pairs" },
      pairFieldset("Input size", "ih", "iw", "", "i"),
      pairFieldset("Kernel size", "kh", "kw", "", "k"),
      pairFieldset("Stride", "sh", "sw", "", "s"),
      pairFieldset("Padding", "ph", "pw", "", "p"),
      pairFieldset("Dilation", "dh", "dw", "", "d"),
      pairFieldset("output_padding a (transposed only)", "oph", "opw", "cv-transposed-only"),
    ),
    element(
      "div",
      { class: "cv-values" },
      radioGroup("values", "Values", [
        ["integers", "Small integers"],
        ["random", "Random (seeded)"],
      ]),
      numberField("seed", "Seed"),
    ),
    element("p", { id: "explorer-message", class: "cv-message", role: "status", "aria-live": "polite" }),
  );
  form.addEventListener("submit", (event) => event.preventDefault());
  return form;
}

/** A grid as a table with row and column indices as headers. */
function gridTable({ caption, rows, cols, cell, rowLabel, colLabel, interactive = false }) {
  const table = element("table", { class: "cv-grid" });
  if (interactive) table.setAttribute("role", "grid");
  table.append(element("caption", { text: caption }));
  const head = element("tr", {}, element("td", { class: "cv-corner" }));
  for (let c = 0; c < cols; c++) head.append(element("th", { scope: "col", text: colLabel(c) }));
  const thead = element("thead", {}, head);
  const tbody = element("tbody");
  const cells = [];
  for (let r = 0; r < rows; r++) {
    const tr = element("tr", {}, element("th", { scope: "row", text: rowLabel(r) }));
    const rowCells = [];
    for (let c = 0; c < cols; c++) {
      const { text, cls, label } = cell(r, c);
      const td = element("td", { class: cls || "" });
      td.textContent = text;
      if (label) td.append(element("span", { class: "cv-sr", text: ` (${label})` }));
      if (interactive) {
        td.setAttribute("role", "gridcell");
        td.setAttribute("tabindex", "-1");
        td.dataset.row = String(r);
        td.dataset.col = String(c);
      }
      tr.append(td);
      rowCells.push(td);
    }
    tbody.append(tr);
    cells.push(rowCells);
  }
  table.append(thead, tbody);
  return { table, cells };
}

/**
 * A grid in a horizontally scrolling region (focusable, so the keyboard can scroll it). When the
 * grid is wider than the region, the wrapper gets class cv-overflows (edge shadows in the CSS)
 * and a visible "scroll sideways" hint appears above it; both follow the region's width.
 */
const overflowObserver =
  typeof ResizeObserver === "undefined"
    ? null
    : new ResizeObserver((entries) => {
        for (const entry of entries) markOverflow(entry.target);
      });

function markOverflow(region) {
  const wrap = region.parentElement;
  if (!wrap) return;
  const overflows = region.scrollWidth > region.clientWidth + 1;
  wrap.classList.toggle("cv-overflows", overflows);
  wrap.querySelector(".cv-scroll-hint").hidden = !overflows;
}

function scrollRegion(label, child) {
  const region = element("div", { class: "cv-scroll", role: "region", "aria-label": label, tabindex: "0" }, child);
  const hint = element("p", { class: "cv-scroll-hint", text: "Scroll sideways to see every column →" });
  hint.hidden = true;
  overflowObserver?.observe(region);
  return element("div", { class: "cv-scroll-wrap" }, hint, region);
}

/** Wire the explorer into root (the page's <div id="explorer">); code is the PyTorch <code>. */
export function mount(root, code) {
  root.textContent = "";
  const form = buildForm();
  const message = form.querySelector("#explorer-message");
  const results = element("div", { class: "cv-results" });
  const live = element("p", { class: "cv-live", id: "explorer-live", "aria-live": "polite" });
  root.append(form, live, results);
  let model = null;
  let selected = [0, 0];
  let drawn = null; // table cells of the current drawing

  const read = () => {
    const raw = {};
    for (const f of FIELDS) raw[f.key] = form.elements[f.key].value;
    raw.mode = form.querySelector('input[name="mode"]:checked').value;
    raw.values = form.querySelector('input[name="values"]:checked').value;
    return raw;
  };

  const showCode = (text) => {
    if (!code) return;
    if (code.textContent !== text) highlightPython(text, code);
  };

  const select = (r, c, focus = false) => {
    if (!model) return;
    const [oh, ow] = model.outShape;
    r = Math.max(0, Math.min(oh - 1, r));
    c = Math.max(0, Math.min(ow - 1, c));
    selected = [r, c];
    const { gridCells, kernelCells, outputCells, sum, slider, position } = drawn;
    for (const row of gridCells) for (const td of row) td.classList.remove("cv-window", "cv-contributes");
    for (const row of kernelCells) for (const td of row) td.classList.remove("cv-contributes");
    for (const row of outputCells) {
      for (const td of row) {
        td.classList.remove("cv-selected");
        td.setAttribute("aria-selected", "false");
        td.tabIndex = -1;
      }
    }
    const terms = model.terms[r][c];
    const kernelUsed = new Set(terms.map((t) => `${t.kernelRow},${t.kernelCol}`));
    for (const { gr, gc, kr, kc } of windowCells(model, r, c)) {
      const td = gridCells[gr]?.[gc];
      if (!td) continue;
      td.classList.add("cv-window");
      if (kernelUsed.has(`${kr},${kc}`) && gridCell(model, gr, gc).kind === "input") td.classList.add("cv-contributes");
    }
    const [kh, kw] = model.wShape;
    if (drawn.flippedCells) for (const row of drawn.flippedCells) for (const td of row) td.classList.remove("cv-contributes");
    if (drawn.inputCells) for (const row of drawn.inputCells) for (const td of row) td.classList.remove("cv-contributes");
    for (const t of terms) {
      drawn.inputCells?.[t.inputRow][t.inputCol].classList.add("cv-contributes");
      kernelCells[t.kernelRow][t.kernelCol].classList.add("cv-contributes");
      drawn.flippedCells?.[kh - 1 - t.kernelRow][kw - 1 - t.kernelCol].classList.add("cv-contributes");
    }
    const out = outputCells[r][c];
    out.classList.add("cv-selected");
    out.setAttribute("aria-selected", "true");
    out.tabIndex = 0;
    if (focus) out.focus();
    const explanation = explainCell(model, r, c);
    sum.symbolic.textContent = explanation.symbolic;
    sum.numeric.textContent = explanation.numeric;
    sum.heading.textContent =
      `Output cell y[${r}][${c}] (row ${r}, column ${c}): ` +
      `${explanation.count} product(s) of an input pixel and a kernel tap, summed`;
    const index = r * ow + c;
    slider.value = String(index);
    slider.setAttribute("aria-valuetext", `output cell y[${r}][${c}] = ${explanation.value}`);
    position.textContent = `step ${index + 1} of ${oh * ow}`;
    drawn.prev.disabled = index === 0;
    drawn.next.disabled = index === oh * ow - 1;
    live.textContent =
      `Output ${oh} × ${ow}. Selected y[${r}][${c}] = ${explanation.value}, ` +
      `the sum of ${explanation.count} product(s).`;
  };

  const draw = () => {
    const m = model;
    const d = m.inputDecimals;
    const [gh, gw] = [m.grid[0].size, m.grid[1].size];
    const gridTitle = m.transposed ? "Stretched input" : "Padded input";
    const kindLabel = { padding: "padding zero", inserted: "inserted zero", outputPadding: "output_padding zero" };
    const gridLabels = (a) => (g) => {
      const u = g - m.grid[a].before;
      const s = m.transposed ? m.opts.stride[a] : 1;
      return u >= 0 && u <= (m.xShape[a] - 1) * s && u % s === 0 && g < m.grid[a].size - m.grid[a].extra ? String(u / s) : "·";
    };
    const grid = gridTable({
      caption: `${gridTitle}, ${gh} × ${gw} (headers: input row and column; · marks added zeros)`,
      rows: gh,
      cols: gw,
      rowLabel: gridLabels(0),
      colLabel: gridLabels(1),
      cell: (gr, gc) => {
        const info = gridCell(m, gr, gc);
        if (info.kind === "input") return { text: formatValue(m.x[info.row][info.col], d), cls: "cv-input" };
        return { text: formatValue(0, d), cls: `cv-${info.kind}`, label: kindLabel[info.kind] };
      },
    });
    const index = String;
    const kernel = gridTable({
      caption: `Kernel w, ${m.wShape[0]} × ${m.wShape[1]}`,
      rows: m.wShape[0],
      cols: m.wShape[1],
      rowLabel: index,
      colLabel: index,
      cell: (r, c) => ({ text: formatValue(m.w[r][c], d) }),
    });
    let input = null;
    let flipped = null;
    if (m.transposed) {
      input = gridTable({
        caption: `Input x, ${m.xShape[0]} × ${m.xShape[1]}`,
        rows: m.xShape[0],
        cols: m.xShape[1],
        rowLabel: index,
        colLabel: index,
        cell: (r, c) => ({ text: formatValue(m.x[r][c], d) }),
      });
      input.table.id = "explorer-input";
      const [kh, kw] = m.wShape;
      flipped = gridTable({
        caption: "Kernel rotated by 180°, as it slides over the stretched input",
        rows: kh,
        cols: kw,
        rowLabel: (r) => String(kh - 1 - r),
        colLabel: (c) => String(kw - 1 - c),
        cell: (r, c) => ({ text: formatValue(m.w[kh - 1 - r][kw - 1 - c], d) }),
      });
    }
    const output = gridTable({
      caption: `Output y, ${m.outShape[0]} × ${m.outShape[1]} (select a cell: click, or arrow keys)`,
      rows: m.outShape[0],
      cols: m.outShape[1],
      rowLabel: index,
      colLabel: index,
      cell: (r, c) => ({ text: formatOutput(m.y[r][c], m.outputDecimals) }),
      interactive: true,
    });
    output.table.id = "explorer-output";
    output.table.setAttribute("aria-label", `Output y, ${m.outShape[0]} by ${m.outShape[1]}`);
    grid.table.id = "explorer-grid";
    kernel.table.id = "explorer-kernel";

    const cellCount = m.outShape[0] * m.outShape[1];
    const prev = element("button", { type: "button", class: "cv-button", id: "explorer-prev", text: "◀ Previous" });
    const next = element("button", { type: "button", class: "cv-button", id: "explorer-next", text: "Next ▶" });
    const slider = element("input", {
      type: "range",
      id: "explorer-step",
      min: "0",
      max: String(cellCount - 1),
      step: "1",
      value: "0",
    });
    const position = element("span", { class: "cv-position", id: "explorer-position" });
    const stepper = element(
      "div",
      { class: "cv-stepper" },
      prev,
      element("label", { for: "explorer-step", text: "Output cell" }),
      slider,
      next,
      position,
    );
    const sum = {
      heading: element("p", { class: "cv-sum-heading" }),
      symbolic: element("p", { class: "cv-sum-line", id: "explorer-sum-symbolic" }),
      numeric: element("p", { class: "cv-sum-line", id: "explorer-sum-numeric" }),
    };
    const shape = element(
      "div",
      { class: "cv-shape", id: "explorer-shape" },
      element("p", { text: `Output shape: ${m.outShape[0]} × ${m.outShape[1]}` }),
      ...shapeFormulas(m).map((line) => element("p", { class: "cv-formula", text: line })),
    );
    const kernels = element("div", { class: "cv-kernels" }, scrollRegion("Kernel", kernel.table));
    if (flipped) kernels.append(scrollRegion("Rotated kernel", flipped.table));
    overflowObserver?.disconnect(); // the regions drawn before are about to go
    results.textContent = "";
    results.append(
      element("p", { class: "cv-description", text: gridDescription(m) }),
      element(
        "div",
        { class: "cv-grids" },
        ...(input ? [scrollRegion("Input", input.table)] : []),
        scrollRegion(gridTitle, grid.table),
        kernels,
        scrollRegion("Output", output.table),
      ),
      stepper,
      element("div", { class: "cv-sum", id: "explorer-sum" }, sum.heading, sum.symbolic, sum.numeric),
      shape,
    );
    drawn = {
      gridCells: grid.cells,
      kernelCells: kernel.cells,
      flippedCells: flipped?.cells,
      inputCells: input?.cells,
      outputCells: output.cells,
      sum,
      slider,
      position,
      prev,
      next,
    };
    const [, ow] = m.outShape;
    const step = (delta) => {
      const i = selected[0] * ow + selected[1] + delta;
      select(Math.floor(i / ow), i % ow);
    };
    prev.addEventListener("click", () => step(-1));
    next.addEventListener("click", () => step(1));
    slider.addEventListener("input", () => {
      const i = Number(slider.value);
      select(Math.floor(i / ow), i % ow);
    });
    output.table.addEventListener("click", (event) => {
      const td = event.target.closest("td[role=gridcell]");
      if (td) select(Number(td.dataset.row), Number(td.dataset.col), true);
    });
    output.table.addEventListener("keydown", (event) => {
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      let [r, c] = selected;
      if (moves[event.key]) [r, c] = [r + moves[event.key][0], c + moves[event.key][1]];
      else if (event.key === "Home") c = 0;
      else if (event.key === "End") c = m.outShape[1] - 1;
      else return;
      event.preventDefault();
      select(r, c, true);
    });
  };

  let lastRaw = null;
  const update = () => {
    const raw = read();
    // A text field fires "change" again when it loses focus: redrawing then would destroy the
    // element the reader is moving to (a grid region, a button), so unchanged settings keep the drawing.
    const key = JSON.stringify(raw);
    if (key === lastRaw) return;
    lastRaw = key;
    const transposed = raw.mode === "transposed";
    for (const key of ["oph", "opw"]) form.elements[key].disabled = !transposed;
    for (const span of form.querySelectorAll(".cv-letter")) {
      span.textContent = span.dataset.letter + (transposed ? "′" : "");
    }
    form.elements.seed.disabled = raw.values !== "random";
    for (const f of FIELDS) form.elements[f.key].removeAttribute("aria-invalid");
    try {
      model = explore(raw);
    } catch (error) {
      model = null;
      drawn = null;
      const text = error instanceof Error ? error.message : String(error);
      message.textContent = text;
      message.classList.add("cv-error");
      for (const key of error.fields || []) {
        if (!form.elements[key].disabled) form.elements[key].setAttribute("aria-invalid", "true");
      }
      results.textContent = "";
      results.append(element("p", { class: "cv-cleared", text: "No result: fix the setting named above." }));
      live.textContent = "";
      root.classList.add("cv-invalid");
      showCode(`# No valid settings: ${text}\n# Fix them above and the PyTorch call appears here.`);
      return;
    }
    root.classList.remove("cv-invalid");
    message.textContent = "";
    message.classList.remove("cv-error");
    draw();
    const [oh, ow] = model.outShape;
    select(Math.min(selected[0], oh - 1), Math.min(selected[1], ow - 1));
    showCode(pytorchCode(model));
  };

  const safeUpdate = () => {
    try {
      update();
    } catch (error) {
      // Should not happen: explore() turns every bad setting into a message. Never throw anyway.
      message.textContent = `Something went wrong: ${error && error.message}`;
      message.classList.add("cv-error");
      results.textContent = "";
    }
  };
  form.addEventListener("input", safeUpdate);
  form.addEventListener("change", safeUpdate);
  safeUpdate();
  root.dataset.ready = "true";
}

if (typeof document !== "undefined") {
  const root = document.getElementById("explorer");
  if (root) mount(root, document.querySelector("#explorer-code pre > code"));
}
