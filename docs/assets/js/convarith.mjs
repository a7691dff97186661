/**
 * convarith.mjs: convolution arithmetic for the browser, the JavaScript twin of snippets/shapes.py.
 *
 * Single channel, PyTorch semantics: conv2d is a cross-correlation (the kernel is not flipped),
 * output sizes round down like torch.nn.Conv2d, and convTranspose2d equals
 * torch.nn.functional.conv_transpose2d. tests/test_convarith.py checks every exported function
 * against torch and snippets/shapes.py on random settings.
 *
 * Letters as on the pages (Dumoulin & Visin): i input size, k kernel size, s stride, p padding,
 * d dilation, o output size. Every invalid argument throws an Error whose message names it, and
 * LIMITS caps the sizes so that an interactive page can never freeze the browser.
 *
 * No dependencies: import it with `<script type="module">` or from Node.
 */

/** Caps that keep a call fast (well under a second) whatever a reader types into the explorer. */
export const LIMITS = Object.freeze({
  maxSize: 10_000, // any single size: i, k, s, p, d, a side of x or w, a side of the output
  maxElements: 1_000_000, // elements of x, of w and of the output
  maxTerms: 10_000_000, // multiply-adds one conv2d / convTranspose2d call may perform
  maxListedTerms: 1_000_000, // terms a *Contributions call may list (each one is an object)
});

/** The options conv2d and convTranspose2d accept, with their defaults (as in PyTorch). */
export const DEFAULTS = Object.freeze({ stride: 1, padding: 0, dilation: 1, outputPadding: 0 });

// Smallest allowed value of each option: a stride or dilation of 0 would not move the kernel.
const MINIMA = Object.freeze({ stride: 1, padding: 0, dilation: 1, outputPadding: 0 });
const AXES = ["height", "width"];

/** A short, unambiguous rendering of a bad value for error messages ("2" vs 2, NaN, [1, 2, 3]). */
function show(value) {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) {
    return value.length > 8 ? `an array of length ${value.length}` : `[${Array.from(value, show).join(", ")}]`;
  }
  if (value !== null && typeof value === "object") return `an object (${Object.prototype.toString.call(value)})`;
  return String(value); // numbers (NaN, Infinity, -2), booleans, null, undefined, bigints
}

/**
 * Check that value is an integer in [minimum, LIMITS.maxSize]; otherwise throw an Error naming it.
 * Booleans, strings ("2"), NaN, Infinity and 1.5 are all rejected: silently coercing them would
 * show a reader a result for settings they did not type.
 * @param {string} name what the message calls the argument, e.g. "stride" or "kernel size k"
 * @param {*} value
 * @param {number} minimum
 * @returns {number}
 */
export function checkInt(name, value, minimum) {
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum) {
    throw new Error(`${name} must be an integer >= ${minimum}, got ${show(value)}`);
  }
  if (value > LIMITS.maxSize) {
    throw new Error(`${name} must be <= ${LIMITS.maxSize} (LIMITS.maxSize), got ${value}`);
  }
  return value + 0; // turns -0 into 0
}

/**
 * An option given as one integer (both axes) or as a pair [height, width], returned as a pair.
 * @param {string} name "stride", "padding", "dilation" or "outputPadding" (sets the default minimum)
 * @param {number|number[]} value
 * @param {number} [minimum] smallest allowed integer; by default 1 for stride/dilation, else 0
 * @returns {[number, number]}
 * @example normalizePair("stride", 2) // [2, 2]
 * @example normalizePair("padding", [1, 0]) // [1, 0]
 */
export function normalizePair(name, value, minimum = MINIMA[name] ?? 0) {
  if (!Array.isArray(value)) {
    const v = checkInt(name, value, minimum);
    return [v, v];
  }
  if (value.length !== 2) {
    throw new Error(`${name} must be an integer or a pair [height, width], got ${show(value)}`);
  }
  return [checkInt(`${name}[0]`, value[0], minimum), checkInt(`${name}[1]`, value[1], minimum)];
}

/**
 * Fill in defaults and turn every option into a [height, width] pair.
 * Unknown keys throw: a typo such as {strides: 2} would otherwise silently use stride 1.
 * @param {{stride?: number|number[], padding?: number|number[], dilation?: number|number[],
 *          outputPadding?: number|number[]}} [opts]
 * @returns {{stride: number[], padding: number[], dilation: number[], outputPadding: number[]}}
 */
export function normalizeOptions(opts = {}) {
  if (opts === null || typeof opts !== "object" || Array.isArray(opts)) {
    throw new Error(`opts must be an object such as {stride: 2, padding: 1}, got ${show(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!Object.hasOwn(DEFAULTS, key)) {
      throw new Error(`unknown option ${JSON.stringify(key)} in opts; expected ${Object.keys(DEFAULTS).join(", ")}`);
    }
  }
  const normalized = {};
  for (const [key, fallback] of Object.entries(DEFAULTS)) {
    normalized[key] = normalizePair(key, opts[key] === undefined ? fallback : opts[key]);
  }
  return normalized;
}

// --- output sizes, one axis (arguments already checked) --------------------------------------

function capSize(o, where) {
  if (o > LIMITS.maxSize) {
    throw new Error(`output size would be ${o}${where}, more than LIMITS.maxSize = ${LIMITS.maxSize}`);
  }
  return o;
}

function convSize(i, k, s, p, d, where = "") {
  const span = d * (k - 1) + 1; // a dilated kernel covers this many input pixels
  const o = Math.floor((i + 2 * p - span) / s) + 1; // floor, like Python's // in shapes.py
  if (o < 1) {
    throw new Error(
      `kernel spans d*(k-1)+1 = ${span} pixels but the padded input has only i+2p = ${i + 2 * p}${where}, ` +
        `so the output size would be ${o}`,
    );
  }
  return capSize(o, where);
}

function transposeSize(i, k, s, p, d, outputPadding, where = "") {
  // PyTorch's rule: a larger outputPadding would add rows that no input pixel ever reaches.
  if (outputPadding >= Math.max(s, d)) {
    throw new Error(
      `outputPadding must be smaller than max(stride, dilation) = ${Math.max(s, d)}${where}, got ${outputPadding}`,
    );
  }
  const written = (i - 1) * s + d * (k - 1) + outputPadding + 1; // before padding crops p per side
  const o = written - 2 * p;
  if (o < 1) {
    throw new Error(
      `padding crops 2p = ${2 * p} values but the kernel writes only (i-1)*s + d*(k-1) + outputPadding + 1 = ` +
        `${written}${where}, so the output size would be ${o}`,
    );
  }
  return capSize(o, where);
}

/**
 * Output size of torch.nn.Conv2d along one axis: floor((i + 2p - d(k-1) - 1) / s) + 1.
 * @param {number} i input size
 * @param {number} k kernel size
 * @param {number} [s=1] stride
 * @param {number} [p=0] padding (each side)
 * @param {number} [d=1] dilation
 * @returns {number} o >= 1; throws naming "kernel" if the dilated kernel does not fit the padded input
 */
export function convOutputSize(i, k, s = 1, p = 0, d = 1) {
  return convSize(
    checkInt("input size i", i, 1),
    checkInt("kernel size k", k, 1),
    checkInt("stride s", s, 1),
    checkInt("padding p", p, 0),
    checkInt("dilation d", d, 1),
  );
}

/**
 * Output size of torch.nn.ConvTranspose2d along one axis: (i-1)s - 2p + d(k-1) + outputPadding + 1.
 * @param {number} i input size
 * @param {number} k kernel size
 * @param {number} [s=1] stride
 * @param {number} [p=0] padding (cropped from each side of the result)
 * @param {number} [d=1] dilation
 * @param {number} [outputPadding=0] extra rows/columns on the far side; must be < max(s, d)
 * @returns {number} o >= 1; throws naming "padding" if the padding crops everything
 */
export function convTransposeOutputSize(i, k, s = 1, p = 0, d = 1, outputPadding = 0) {
  return transposeSize(
    checkInt("input size i", i, 1),
    checkInt("kernel size k", k, 1),
    checkInt("stride s", s, 1),
    checkInt("padding p", p, 0),
    checkInt("dilation d", d, 1),
    checkInt("outputPadding", outputPadding, 0),
  );
}

// --- 2-D -------------------------------------------------------------------------------------

/** Check that m is a rectangular, non-empty array of rows of finite numbers; return [rows, cols]. */
function readMatrix(name, m) {
  if (!Array.isArray(m) || m.length === 0 || !Array.isArray(m[0]) || m[0].length === 0) {
    throw new Error(`${name} must be a non-empty 2-D array (a list of rows), got ${show(m)}`);
  }
  const rows = m.length;
  const cols = m[0].length;
  if (rows > LIMITS.maxSize || cols > LIMITS.maxSize || rows * cols > LIMITS.maxElements) {
    throw new Error(
      `${name} is ${rows} x ${cols}; at most ${LIMITS.maxSize} per side and ${LIMITS.maxElements} elements (LIMITS)`,
    );
  }
  // Plain loops, not forEach: forEach skips the holes of a sparse array like [1, , 3].
  for (let r = 0; r < rows; r++) {
    const row = m[r];
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(`${name}[${r}] must be a row of ${cols} numbers like ${name}[0] (no ragged rows), got ${show(row)}`);
    }
    for (let c = 0; c < cols; c++) {
      if (typeof row[c] !== "number" || !Number.isFinite(row[c])) {
        throw new Error(`${name}[${r}][${c}] must be a finite number, got ${show(row[c])}`);
      }
    }
  }
  return [rows, cols];
}

/** [height, width] of the output; o holds normalized options. */
function outputShapeOf(xShape, wShape, o, transposed) {
  if (!transposed && (o.outputPadding[0] !== 0 || o.outputPadding[1] !== 0)) {
    throw new Error(`outputPadding applies only to convTranspose2d, got ${show(o.outputPadding)}`);
  }
  const shape = [0, 1].map((a) => {
    const args = [xShape[a], wShape[a], o.stride[a], o.padding[a], o.dilation[a]];
    return transposed ? transposeSize(...args, o.outputPadding[a], ` in ${AXES[a]}`) : convSize(...args, ` in ${AXES[a]}`);
  });
  if (shape[0] * shape[1] > LIMITS.maxElements) {
    throw new Error(
      `output size would be ${shape[0]} x ${shape[1]} = ${shape[0] * shape[1]} elements, ` +
        `more than LIMITS.maxElements = ${LIMITS.maxElements}`,
    );
  }
  return shape;
}

function shapeOfArgument(name, shape) {
  return normalizePair(name, shape, 1);
}

/**
 * Output [height, width] of conv2d for an input of xShape and a kernel of wShape, without data.
 * @param {number|number[]} xShape [rows, cols] of x (or one int for a square)
 * @param {number|number[]} wShape [rows, cols] of w
 * @param {object} [opts] {stride, padding, dilation}
 * @returns {[number, number]}
 */
export function conv2dOutputShape(xShape, wShape, opts) {
  return outputShapeOf(shapeOfArgument("xShape", xShape), shapeOfArgument("wShape", wShape), normalizeOptions(opts), false);
}

/** Output [height, width] of convTranspose2d; like conv2dOutputShape, opts may hold outputPadding. */
export function convTranspose2dOutputShape(xShape, wShape, opts) {
  return outputShapeOf(shapeOfArgument("xShape", xShape), shapeOfArgument("wShape", wShape), normalizeOptions(opts), true);
}

/** Validate everything once, before any loop runs. */
function prepare(x, w, opts, transposed, maxTerms) {
  const xShape = readMatrix("x", x);
  const wShape = readMatrix("w", w);
  const o = normalizeOptions(opts);
  const outShape = outputShapeOf(xShape, wShape, o, transposed);
  // Upper bound on the loop below: every (cell, kernel tap) pair, whether it lands or not.
  const cells = transposed ? xShape : outShape;
  const terms = cells[0] * cells[1] * wShape[0] * wShape[1];
  if (terms > maxTerms) {
    throw new Error(
      `kernel w (${wShape.join(" x ")}) times ${cells.join(" x ")} ${transposed ? "input" : "output"} cells ` +
        `is ${terms} terms, more than the limit of ${maxTerms} (LIMITS)`,
    );
  }
  return { xShape, wShape, outShape, o };
}

/**
 * The one formula behind both operations: an index `a` and a kernel tap `t` meet index
 * b = a*s - p + t*d. For conv2d, a is an output cell and b the input cell it reads (gather);
 * for convTranspose2d, a is an input cell and b the output cell it writes to (scatter), which is
 * why the transposed convolution is the gradient of the convolution with the same s, p, d.
 * Calls visit(a0, a1, t0, t1, b0, b1) for every pair that lands inside bShape; taps that fall on
 * padding are skipped (they contribute zero).
 */
function forEachTerm(aShape, wShape, bShape, o, visit) {
  const [s0, s1] = o.stride;
  const [p0, p1] = o.padding;
  const [d0, d1] = o.dilation;
  for (let a0 = 0; a0 < aShape[0]; a0++) {
    for (let t0 = 0; t0 < wShape[0]; t0++) {
      const b0 = a0 * s0 - p0 + t0 * d0;
      if (b0 < 0 || b0 >= bShape[0]) continue;
      for (let a1 = 0; a1 < aShape[1]; a1++) {
        for (let t1 = 0; t1 < wShape[1]; t1++) {
          const b1 = a1 * s1 - p1 + t1 * d1;
          if (b1 >= 0 && b1 < bShape[1]) visit(a0, a1, t0, t1, b0, b1);
        }
      }
    }
  }
}

const grid = ([rows, cols], fill) => Array.from({ length: rows }, () => Array.from({ length: cols }, fill));

/**
 * torch.nn.functional.conv2d for one channel: out[r][c] = sum over kernel taps (kr, kc) of
 * x[r*s - p + kr*d][c*s - p + kc*d] * w[kr][kc] (cross-correlation, zero padding).
 * @param {number[][]} x input, a list of rows
 * @param {number[][]} w kernel, a list of rows
 * @param {{stride?: number|number[], padding?: number|number[], dilation?: number|number[]}} [opts]
 * @returns {number[][]} the output, a list of rows
 */
export function conv2d(x, w, opts) {
  const { xShape, wShape, outShape, o } = prepare(x, w, opts, false, LIMITS.maxTerms);
  const out = grid(outShape, () => 0);
  forEachTerm(outShape, wShape, xShape, o, (r, c, kr, kc, ir, ic) => {
    out[r][c] += x[ir][ic] * w[kr][kc];
  });
  return out;
}

/**
 * torch.nn.functional.conv_transpose2d for one channel: every input pixel x[ir][ic] adds
 * x[ir][ic] * w[kr][kc] to out[ir*s - p + kr*d][ic*s - p + kc*d] (scatter; padding crops the result).
 * @param {number[][]} x input, a list of rows
 * @param {number[][]} w kernel, a list of rows
 * @param {{stride?: number|number[], padding?: number|number[], dilation?: number|number[],
 *          outputPadding?: number|number[]}} [opts]
 * @returns {number[][]} the output, a list of rows
 */
export function convTranspose2d(x, w, opts) {
  const { xShape, wShape, outShape, o } = prepare(x, w, opts, true, LIMITS.maxTerms);
  const out = grid(outShape, () => 0);
  forEachTerm(xShape, wShape, outShape, o, (ir, ic, kr, kc, r, c) => {
    out[r][c] += x[ir][ic] * w[kr][kc];
  });
  return out;
}

/**
 * @typedef {{inputRow: number, inputCol: number, kernelRow: number, kernelCol: number}} Term
 * One product x[inputRow][inputCol] * w[kernelRow][kernelCol] of an output cell's sum.
 */

/**
 * Which products make up each output cell of conv2d, for explaining the computation: cell [r][c]
 * lists its terms in kernel order; conv2d(x, w, opts)[r][c] is the sum of their products. Taps
 * that fall on padding are not listed (they multiply zero).
 * @returns {Term[][][]} one list of terms per output cell; at most LIMITS.maxListedTerms terms
 */
export function convContributions(x, w, opts) {
  const { xShape, wShape, outShape, o } = prepare(x, w, opts, false, LIMITS.maxListedTerms);
  const cells = grid(outShape, () => []);
  forEachTerm(outShape, wShape, xShape, o, (r, c, kernelRow, kernelCol, inputRow, inputCol) => {
    cells[r][c].push({ inputRow, inputCol, kernelRow, kernelCol });
  });
  return cells;
}

/**
 * The same for convTranspose2d: cell [r][c] lists, in input order, every input pixel and kernel
 * tap whose product lands on it; a cell no product reaches (a stride wider than the dilated kernel,
 * or an outputPadding row) stays empty and its output value is 0.
 * @returns {Term[][][]} one list of terms per output cell; at most LIMITS.maxListedTerms terms
 */
export function convTransposeContributions(x, w, opts) {
  const { xShape, wShape, outShape, o } = prepare(x, w, opts, true, LIMITS.maxListedTerms);
  const cells = grid(outShape, () => []);
  forEachTerm(xShape, wShape, outShape, o, (inputRow, inputCol, kernelRow, kernelCol, r, c) => {
    cells[r][c].push({ inputRow, inputCol, kernelRow, kernelCol });
  });
  return cells;
}
