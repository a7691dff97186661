/**
 * port.mjs: translate a transposed convolution between PyTorch, TensorFlow, Keras, JAX and ONNX,
 * and solve for the padding that gives a wanted output size (docs/interactive/port.md).
 *
 * One model behind every framework, one spatial axis at a time. A transposed convolution with
 * input size i, kernel size k, stride s and dilation d first writes the "full" output of length
 * F = (i-1)*s + d*(k-1) + 1 (every input pixel scatters a copy of the kernel); each framework then
 * keeps a window [begin, begin + o) of it, where indices outside [0, F) hold zeros. A framework's
 * arguments are just a way of naming that window, so porting means: read the source's window,
 * then find the target arguments whose window is the same, or the nearest one plus an explicit
 * crop (positive) or zero pad (negative) of the result. tests/test_port.py checks this against
 * the real frameworks by value.
 *
 * Letters as on the pages: i input size, k kernel size, s stride, p padding, d dilation, o output
 * size (of the transposed convolution). Bad input throws an Error whose message names the field;
 * its `field` property holds the field's key, so a page can put the message next to it.
 *
 * Depends only on convarith.mjs (same folder): import it with <script type="module"> or Node.
 */
import { checkInt, convOutputSize, LIMITS } from "./convarith.mjs";

// --- errors and integer fields ----------------------------------------------------------------

/** An Error naming a field; `field` is the key the page uses for that field. */
export class FieldError extends Error {
  constructor(field, message) {
    super(message);
    this.field = field;
  }
}

/** checkInt's rule (an integer in [minimum, LIMITS.maxSize]) with the error tagged by field. */
function intField(field, label, value, minimum) {
  try {
    return checkInt(label, value, minimum);
  } catch (error) {
    throw new FieldError(field, error.message);
  }
}

/** An integer that may be negative (JAX's explicit padding), bounded by LIMITS.maxSize. */
function signedField(field, label, value) {
  if (typeof value !== "number" || !Number.isInteger(value) || Math.abs(value) > LIMITS.maxSize) {
    throw new FieldError(field, `${label} must be an integer between ${-LIMITS.maxSize} and ${LIMITS.maxSize}, got ${JSON.stringify(value)}`);
  }
  return value + 0;
}

const INTEGER = /^\s*[+-]?\d+\s*$/;

/** Text typed into a field: a number when it is an integer, else the text (which the checks reject). */
export function parseInteger(text) {
  return INTEGER.test(String(text)) ? Number(text) : String(text);
}

// --- the shared model: one axis -----------------------------------------------------------------

/** Length of the full (uncropped) output: (i-1)s + d(k-1) + 1. */
export const fullLength = (i, k, s, d) => (i - 1) * s + d * (k - 1) + 1;
const span = (k, d) => d * (k - 1) + 1; // a dilated kernel covers this many pixels
const ceilDiv = (a, b) => Math.ceil(a / b);

/** An axis {i, k, s, d, F, begin, o}: the output is full[begin : begin + o] (zeros outside [0, F)). */
function axisWindow(i, k, s, d, begin, o) {
  return { i, k, s, d, F: fullLength(i, k, s, d), begin, o };
}

/**
 * The output sizes TensorFlow accepts for conv2d_transpose: those o whose forward convolution
 * (conv2d with the same rule) has output size i. Returns [first, last], a contiguous range.
 */
export function tfOutputRange(rule, i, k, s, d = 1) {
  if (rule === "SAME") return [(i - 1) * s + 1, i * s]; // ceil(o / s) = i
  const first = (i - 1) * s + span(k, d); // ceil((o - K + 1) / s) = i
  return [first, first + s - 1];
}

/** Where TensorFlow's window starts: SAME pads max(F - o, 0) in total, the odd one after. */
function tfBegin(rule, F, o) {
  return rule === "SAME" ? Math.floor(Math.max(F - o, 0) / 2) : 0;
}

function checkTfOutput(field, rule, i, k, s, d, o) {
  const [first, last] = tfOutputRange(rule, i, k, s, d);
  if (o < first || o > last) {
    const why = rule === "SAME" ? "ceil(o / s) = i" : "ceil((o - d(k-1)) / s) = i";
    throw new FieldError(
      field,
      `output size ${o} is rejected by TensorFlow: with padding "${rule}", input ${i}, kernel ${k}, stride ${s}` +
        `${d > 1 ? `, dilation ${d}` : ""} it needs ${why}, so an output size from ${first} to ${last}`,
    );
  }
}

function checkRule(field, label, rule, rules) {
  if (!rules.includes(rule)) {
    throw new FieldError(field, `${label} must be ${rules.map((r) => JSON.stringify(r)).join(" or ")}, got ${JSON.stringify(rule)}`);
  }
  return rule;
}

// --- PyTorch as a target: symmetric padding, output_padding < max(s, d) -------------------------

/**
 * PyTorch's ConvTranspose window is [p, F - p + op). The largest p <= begin that still reaches the
 * window's end (or F, past which only zeros lie) and leaves an output of size >= 1; then the op
 * that gets closest to the end. What remains is cropped (or zero-padded past F).
 */
function torchFor(axis) {
  const { F, begin, s, d } = axis;
  const end = begin + axis.o;
  const room = Math.max(s, d) - 1; // the largest output_padding PyTorch accepts
  const p = Math.max(0, Math.min(begin, Math.floor((F - 1) / 2), F + room - Math.min(end, F)));
  const op = Math.min(Math.max(end - (F - p), 0), room);
  return { params: { p, op }, begin: p, end: F - p + op };
}

/**
 * TensorFlow's tf.nn.conv2d_transpose (padding "SAME" or "VALID", dilation 1 unless given) as
 * PyTorch's F.conv_transpose2d: {padding, outputPadding, cropBefore, cropAfter}, one axis.
 * PyTorch pads both sides equally; SAME puts an odd total padding's extra one after, which
 * PyTorch expresses only as a crop of one more sample at the end.
 */
export function tfConvTransposeToTorch({ input, kernel, stride, padding, output, dilation = 1 }) {
  const i = intField("input", "input", input, 1);
  const k = intField("kernel", "kernel", kernel, 1);
  const s = intField("stride", "stride", stride, 1);
  const d = intField("dilation", "dilation", dilation, 1);
  const rule = checkRule("padding", "padding", padding, ["SAME", "VALID"]);
  const o = intField("output", "output", output, 1);
  checkTfOutput("output", rule, i, k, s, d, o);
  const axis = axisWindow(i, k, s, d, tfBegin(rule, fullLength(i, k, s, d), o), o);
  const torch = torchFor(axis);
  return {
    padding: torch.params.p,
    outputPadding: torch.params.op,
    cropBefore: axis.begin - torch.begin,
    cropAfter: torch.end - (axis.begin + o),
  };
}

// --- the inverse problem ----------------------------------------------------------------------

function solverArgs({ input, output, kernel, stride, dilation = 1 }) {
  return {
    i: intField("input", "input size i", input, 1),
    o: intField("output", "output size o", output, 1),
    k: intField("kernel", "kernel size k", kernel, 1),
    s: intField("stride", "stride s", stride, 1),
    d: intField("dilation", "dilation d", dilation, 1),
  };
}

function solutions(i, o, k, s, d) {
  const found = [];
  const F = fullLength(i, k, s, d);
  for (let op = 0; op < Math.max(s, d); op++) {
    const twiceP = F + op - o; // o = F - 2p + op
    if (twiceP >= 0 && twiceP % 2 === 0) found.push({ padding: twiceP / 2, outputPadding: op });
  }
  return found.sort((a, b) => a.padding - b.padding || a.outputPadding - b.outputPadding);
}

/**
 * Every {padding, outputPadding} (padding >= 0, 0 <= outputPadding < max(s, d)) for which
 * PyTorch's ConvTranspose gives output size o from input size i, sorted by padding then
 * outputPadding; [] when there is none.
 */
export function solveConvTranspose(args) {
  const { i, o, k, s, d } = solverArgs(args);
  return solutions(i, o, k, s, d);
}

/**
 * The reachable output sizes nearest to an unreachable o: {below, above}, each {output,
 * solutions} or null. Reachable sizes are F + op - 2p, so they run down from F + max(s, d) - 1,
 * every size when max(s, d) >= 2, every other size otherwise.
 */
export function nearestReachable(args) {
  const { i, o, k, s, d } = solverArgs(args);
  const largest = fullLength(i, k, s, d) + Math.max(s, d) - 1;
  const nearest = (from, step) => {
    for (let size = from; size >= 1 && size <= largest; size += step) {
      const found = solutions(i, size, k, s, d);
      if (found.length) return { output: size, solutions: found };
    }
    return null;
  };
  return { below: nearest(Math.min(o - 1, largest), -1), above: o < largest ? nearest(o + 1, 1) : null };
}

// --- mirroring an encoder (layers as in the network shape calculator) ---------------------------

/**
 * Encoder layers the mirror understands, in the calculator's format {type, values}: values in
 * the order of calculator.mjs's LAYER_TYPES. `size(i)` is the forward output size of one axis.
 */
const ENCODER_LAYERS = {
  conv2d: { names: ["out_channels", "kernel_size", "stride", "padding", "dilation"], channels: 0, k: 1, s: 2, p: 3, d: 4 },
  maxpool2d: { names: ["kernel_size", "stride", "padding", "dilation"], k: 0, s: 1, p: 2, d: 3 },
  avgpool2d: { names: ["kernel_size", "stride", "padding"], k: 0, s: 1, p: 2 },
  conv_same: { names: ["filters", "kernel_size", "strides"], channels: 0, k: 1, s: 2, rule: "SAME" },
  conv_valid: { names: ["filters", "kernel_size", "strides"], channels: 0, k: 1, s: 2, rule: "VALID" },
  pool_same: { names: ["pool_size", "strides"], k: 0, s: 1, rule: "SAME" },
  pool_valid: { names: ["pool_size", "strides"], k: 0, s: 1, rule: "VALID" },
};

/** One encoder layer read into {channels?, k, s, p, d, rule?}; throws naming "layer n: name". */
function readEncoderLayer(layer, n) {
  const spec = Object.hasOwn(ENCODER_LAYERS, layer?.type) ? ENCODER_LAYERS[layer.type] : null;
  if (!spec) {
    throw new FieldError("encoder", `layer ${n}: only convolutions and pooling can be mirrored, got ${JSON.stringify(layer?.type)}`);
  }
  const values = spec.names.map((name, index) => {
    const minimum = name === "padding" ? 0 : 1;
    const value = parseInteger(layer.values?.[index] ?? "");
    // Channel counts are not sizes, but LIMITS.maxSize is plenty for a decoder's channels.
    return intField("encoder", `layer ${n}: ${name}`, value, minimum);
  });
  const read = (key, fallback) => (spec[key] === undefined ? fallback : values[spec[key]]);
  return { type: layer.type, channels: read("channels", null), k: read("k"), s: read("s"), p: read("p", 0), d: read("d", 1), rule: spec.rule };
}

function forwardSize(layer, i, n, axisName) {
  const where = (message) => new FieldError("encoder", `layer ${n} (${axisName}): ${message}`);
  if (layer.rule === "SAME") return ceilDiv(i, layer.s);
  if (layer.rule === "VALID") {
    const o = ceilDiv(i - span(layer.k, layer.d) + 1, layer.s);
    if (o < 1) throw where(`the kernel (${layer.k}) is larger than the input (${i})`);
    return o;
  }
  try {
    return convOutputSize(i, layer.k, layer.s, layer.p, layer.d);
  } catch (error) {
    throw where(error.message);
  }
}

/** The solution for both axes with one kernel size, preferring the encoder's own padding. */
function mirrorAxes(layer, k, from, to) {
  const perAxis = [0, 1].map((a) => solutions(from[a], to[a], k, layer.s, layer.d));
  if (perAxis.some((found) => found.length === 0)) return null;
  return perAxis.map((found) => found.find((x) => x.padding === layer.p) ?? found[0]);
}

/**
 * The decoder that mirrors an encoder: one ConvTranspose2d per encoder layer, in reverse order,
 * each restoring the exact size the encoder layer received (odd sizes included).
 * @param {{input: number[], layers: {type: string, values: (string|number)[]}[]}} encoder
 *   input [C, H, W] and the calculator's layers
 * @returns {{shapes: number[][], layers: {inChannels, outChannels, kernel, stride, dilation,
 *   padding: number[], outputPadding: number[], from: number[], to: number[], note?: string}[]}}
 */
export function mirrorDecoder({ input, layers }) {
  const labels = ["channels C", "height H", "width W"];
  let shape = (Array.isArray(input) ? input : []).slice(0, 3);
  shape = labels.map((label, a) => intField("input", `input ${label}`, parseInteger(shape[a] ?? ""), 1));
  if (!Array.isArray(layers) || layers.length === 0) throw new FieldError("encoder", "the encoder has no layers");
  const encoder = layers.map((layer, index) => readEncoderLayer(layer, index + 1));
  const shapes = [shape];
  encoder.forEach((layer, index) => {
    const [c, h, w] = shapes[index];
    const sizes = [h, w].map((i, a) => forwardSize(layer, i, index + 1, a ? "width" : "height"));
    shapes.push([layer.channels ?? c, ...sizes]);
  });
  const decoder = encoder.map((layer, index) => {
    const [cIn, ...from] = shapes[index + 1];
    const [cOut, ...to] = shapes[index];
    // Only TensorFlow's SAME with stride 1 and an even kernel has no solution (the padding it
    // needs is odd, and output_padding must be 0): the next larger kernel has one.
    let k = layer.k;
    let found = mirrorAxes(layer, k, from, to);
    while (!found) found = mirrorAxes(layer, ++k, from, to);
    return {
      inChannels: cIn, outChannels: cOut, kernel: k, stride: layer.s, dilation: layer.d,
      padding: found.map((x) => x.padding), outputPadding: found.map((x) => x.outputPadding), from, to,
      note: k === layer.k ? undefined : `kernel ${k} instead of ${layer.k}: no padding restores ${to.join(" x ")} with kernel ${layer.k}`,
    };
  });
  return { shapes, layers: decoder.reverse() };
}

/**
 * Layers in the network shape calculator's link format (its `net` parameter), e.g.
 * "conv2d:32,3,2,1,1;maxpool2d:2,2,0,1", as [{type, values}] for mirrorDecoder.
 */
export function parseEncoder(text) {
  const items = String(text ?? "").split(";").map((item) => item.trim()).filter(Boolean);
  if (items.length > 64) throw new FieldError("encoder", `the encoder has ${items.length} layers; at most 64`);
  return items.map((item) => {
    const colon = item.indexOf(":");
    const type = colon < 0 ? item : item.slice(0, colon).trim();
    return { type, values: colon < 0 ? [] : item.slice(colon + 1).split(",").map((v) => v.trim()) };
  });
}

/** 3 for (3, 3), else "(3, 4)": PyTorch accepts either. */
const pyPair = ([a, b]) => (a === b ? String(a) : `(${a}, ${b})`);

/** Runnable PyTorch code for a mirrorDecoder result: an nn.Sequential that checks every shape. */
export function decoderCode({ shapes, layers }) {
  const lines = layers.map((l) => {
    const args = [`${l.inChannels}, ${l.outChannels}`, `kernel_size=${l.kernel}`, `stride=${l.stride}`, `padding=${pyPair(l.padding)}`];
    if (l.outputPadding.some((x) => x)) args.push(`output_padding=${pyPair(l.outputPadding)}`);
    if (l.dilation > 1) args.push(`dilation=${l.dilation}`);
    const note = l.note ? ` (${l.note})` : "";
    return `    nn.ConvTranspose2d(${args.join(", ")}),  # ${l.from.join(" x ")} -> ${l.to.join(" x ")}${note}`;
  });
  const restored = [...shapes].reverse().map((s) => `(${s.join(", ")})`);
  return [
    "import torch",
    "from torch import nn",
    "",
    "decoder = nn.Sequential(",
    ...lines,
    ")",
    "# The shapes the encoder produced, deepest first: each layer restores the one before it.",
    `shapes = [${restored.join(", ")}]`,
    "x = torch.zeros(1, *shapes[0])",
    "for layer, shape in zip(decoder, shapes[1:]):",
    "    x = layer(x)",
    "    assert tuple(x.shape[1:]) == shape, (layer, tuple(x.shape))",
    "",
  ].join("\n");
}

// --- frameworks -------------------------------------------------------------------------------

/**
 * Every framework: how its layer reads fields into per-axis windows (as a source), which
 * arguments name a window (as a target), its tensor layouts (letters: N batch, C channels,
 * H/W spatial; weights I in-channels, O out-channels) and the Python that runs it.
 */
export const FRAMEWORKS = {
  torch: { label: "PyTorch", api: "torch.nn.ConvTranspose2d", data: "NCHW", weight: "IOHW", imports: ["import torch"] },
  tf: { label: "TensorFlow", api: "tf.nn.conv2d_transpose", data: "NHWC", weight: "HWOI", imports: ["import tensorflow as tf"] },
  keras: { label: "Keras", api: "keras.layers.Conv2DTranspose", data: "NHWC", weight: "HWOI", imports: ["import keras"] },
  jax: { label: "JAX", api: "jax.lax.conv_transpose", data: "NCHW", weight: "IOHW", imports: ["import jax"] },
  onnx: {
    label: "ONNX", api: "ONNX ConvTranspose (ONNX Runtime)", data: "NCHW", weight: "IOHW",
    imports: ["import onnx", "import onnxruntime", "from onnx import TensorProto, helper"],
  },
};

/** The fields each source takes, [key, label, default text]. */
const COMMON_FIELDS = [
  ["cin", "in channels", "3"], ["cout", "out channels", "4"],
  ["h", "input height", "7"], ["w", "input width", "5"],
  ["k", "kernel size", "3"], ["s", "stride", "2"], ["d", "dilation", "1"],
];
export const SOURCE_FIELDS = {
  torch: [...COMMON_FIELDS, ["p", "padding", "1"], ["op", "output_padding", "1"]],
  tf: [...COMMON_FIELDS, ["rule", "padding", "SAME"], ["oh", "output height", "14"], ["ow", "output width", "10"]],
  keras: [...COMMON_FIELDS, ["rule", "padding", "same"], ["op", "output_padding (blank: None)", ""]],
  jax: [...COMMON_FIELDS, ["pad", 'padding ("SAME", "VALID" or lo, hi)', "SAME"]],
  onnx: [...COMMON_FIELDS, ["pb", "pads begin", "1"], ["pe", "pads end", "0"], ["op", "output_padding", "1"]],
};

/** The rule choices of the sources that take one (the page draws them as a select). */
export const RULES = { tf: ["SAME", "VALID"], keras: ["same", "valid"] };

/** Defaults of a source's fields, as texts. */
export function defaultFields(source) {
  return Object.fromEntries(SOURCE_FIELDS[source].map(([key, , value]) => [key, value]));
}

function readCommon(fields) {
  const label = Object.fromEntries(COMMON_FIELDS.map(([key, text]) => [key, text]));
  const get = (key, minimum) => intField(key, label[key], parseInteger(fields[key] ?? ""), minimum);
  return { cin: get("cin", 1), cout: get("cout", 1), sizes: [get("h", 1), get("w", 1)], k: get("k", 1), s: get("s", 1), d: get("d", 1) };
}

const AXIS_NAMES = ["height", "width"];

/** Keras's output size for one axis (keras backend_utils._get_output_shape_given_tf_padding). */
function kerasOutputSize(rule, i, K, s, op) {
  if (rule === "valid") return (i - 1) * s + K + (op ?? Math.max(K, s) - K);
  return op === null ? i * s : (i - 1) * s + (K % 2) + op;
}

/** JAX's padding pairs for "SAME"/"VALID" (jax/_src/lax/convolution.py, _conv_transpose_padding). */
function jaxRulePads(rule, K, s) {
  if (rule === "SAME") {
    const total = K + s - 2;
    const lo = s > K - 1 ? K - 1 : Math.ceil(total / 2);
    return [lo, total - lo];
  }
  const total = K + s - 2 + Math.max(K - s, 0);
  return [K - 1, total - (K - 1)];
}

/** The window of JAX's padding pair (lo, hi): a stride-s dilated input, padded, convolved (valid). */
function jaxWindow(i, k, s, d, [lo, hi]) {
  const K = span(k, d);
  return axisWindow(i, k, s, d, K - 1 - lo, (i - 1) * s + 1 + lo + hi - K + 1);
}

function parseJaxPadding(text) {
  const t = String(text ?? "").trim();
  if (t.toUpperCase() === "SAME" || t.toUpperCase() === "VALID") return t.toUpperCase();
  const parts = t.replace(/^\(|\)$/g, "").split(",");
  if (parts.length !== 2 || !parts.every((x) => INTEGER.test(x))) {
    throw new FieldError("pad", `padding must be "SAME", "VALID" or a pair lo, hi of integers, got ${JSON.stringify(t)}`);
  }
  const pads = parts.map((x, index) => signedField("pad", `padding ${index ? "hi" : "lo"}`, Number(x)));
  if (pads.some((x) => x < 0)) {
    throw new FieldError("pad", `padding ${pads.join(", ")} is negative: jaxlib 0.10.2 on CPU computes wrong values with negative padding (more than one input channel), so this tool takes pads >= 0`);
  }
  return pads;
}

/** Read a source's fields into {common, axes, params}; throws a FieldError naming the field. */
const SOURCE_READERS = {
  torch(fields, c) {
    const p = intField("p", "padding", parseInteger(fields.p ?? ""), 0);
    const op = intField("op", "output_padding", parseInteger(fields.op ?? ""), 0);
    if (op >= Math.max(c.s, c.d)) {
      throw new FieldError("op", `output_padding must be smaller than max(stride, dilation) = ${Math.max(c.s, c.d)}, got ${op}`);
    }
    return c.sizes.map((i, a) => {
      const F = fullLength(i, c.k, c.s, c.d);
      if (F - 2 * p + op < 1) {
        throw new FieldError("p", `padding ${p} crops 2p = ${2 * p} of the ${F + op} values in ${AXIS_NAMES[a]}: the output would be empty`);
      }
      return axisWindow(i, c.k, c.s, c.d, p, F - 2 * p + op);
    });
  },
  tf(fields, c) {
    const rule = checkRule("rule", "padding", String(fields.rule ?? "").trim(), RULES.tf);
    if (c.d > 1) throw new FieldError("d", `dilation must be 1: TensorFlow's CPU kernels reject dilations > 1 for tf.nn.conv2d_transpose unless oneDNN runs them (on some CPUs only), got ${c.d}`);
    return c.sizes.map((i, a) => {
      const key = a ? "ow" : "oh";
      const o = intField(key, `output ${AXIS_NAMES[a]}`, parseInteger(fields[key] ?? ""), 1);
      checkTfOutput(key, rule, i, c.k, c.s, c.d, o);
      return axisWindow(i, c.k, c.s, c.d, tfBegin(rule, fullLength(i, c.k, c.s, c.d), o), o);
    });
  },
  keras(fields, c) {
    const rule = checkRule("rule", "padding", String(fields.rule ?? "").trim(), RULES.keras);
    const text = String(fields.op ?? "").trim();
    const op = text === "" || text === "None" ? null : intField("op", "output_padding", parseInteger(text), 0);
    if (op !== null && op >= c.s) throw new FieldError("op", `output_padding must be smaller than strides = ${c.s} (Keras rejects it), got ${op}`);
    if (c.d > 1) throw new FieldError("d", `dilation must be 1: Keras's CPU kernels reject dilation_rate > 1 unless oneDNN runs them (on some CPUs only), and with strides > 1 always, got ${c.d}`);
    return c.sizes.map((i) => {
      const o = kerasOutputSize(rule, i, span(c.k, c.d), c.s, op);
      const [first, last] = tfOutputRange(rule.toUpperCase(), i, c.k, c.s, c.d);
      if (o < first || o > last) {
        throw new FieldError("op", `output_padding ${op ?? "None"} gives output size ${o}, which TensorFlow (Keras's backend) rejects: padding "${rule}" needs ${first} to ${last}`);
      }
      return axisWindow(i, c.k, c.s, c.d, tfBegin(rule.toUpperCase(), fullLength(i, c.k, c.s, c.d), o), o);
    });
  },
  jax(fields, c) {
    const padding = parseJaxPadding(fields.pad);
    return c.sizes.map((i, a) => {
      const axis = jaxWindow(i, c.k, c.s, c.d, typeof padding === "string" ? jaxRulePads(padding, span(c.k, c.d), c.s) : padding);
      if (axis.o < 1 || axis.begin >= axis.F || axis.begin + axis.o <= 0) {
        throw new FieldError("pad", `padding ${JSON.stringify(fields.pad)} leaves ${axis.o < 1 ? "an empty output" : "none of the values the kernel writes"} in ${AXIS_NAMES[a]}`);
      }
      return axis;
    });
  },
  onnx(fields, c) {
    const pb = intField("pb", "pads begin", parseInteger(fields.pb ?? ""), 0);
    const pe = intField("pe", "pads end", parseInteger(fields.pe ?? ""), 0);
    const op = intField("op", "output_padding", parseInteger(fields.op ?? ""), 0);
    // The ONNX spec allows output_padding < max(strides, dilations); ONNX Runtime 1.32 rejects >= strides.
    if (op >= c.s) {
      throw new FieldError("op", `output_padding must be smaller than strides = ${c.s} (ONNX Runtime rejects it), got ${op}`);
    }
    return c.sizes.map((i, a) => {
      const o = fullLength(i, c.k, c.s, c.d) + op - pb - pe;
      if (o < 1) throw new FieldError("pb", `pads ${pb} + ${pe} remove every value in ${AXIS_NAMES[a]}: the output would be ${o}`);
      return axisWindow(i, c.k, c.s, c.d, pb, o);
    });
  },
};

// --- frameworks as targets ---------------------------------------------------------------------

/** Crop (> 0) or zero pad (< 0) that turns a target window into the source's, or null if invalid. */
function adjustment(axis, target) {
  const before = axis.begin - target.begin;
  const after = target.end - (axis.begin + axis.o);
  // Padding with zeros is right only where the full output is zero (outside [0, F)).
  const padBeforeOk = before >= 0 || target.begin <= 0 || axis.begin >= axis.F;
  const padAfterOk = after >= 0 || target.end >= axis.F;
  return padBeforeOk && padAfterOk && target.end > target.begin ? { before, after } : null;
}

const cost = (adjust) => Math.abs(adjust.before) + Math.abs(adjust.after);

/** The cheapest {params, adjust} of one axis among candidate windows (first wins a tie). */
function bestWindow(axis, candidates) {
  let best = null;
  for (const candidate of candidates) {
    const adjust = adjustment(axis, candidate);
    if (adjust && (!best || cost(adjust) < cost(best.adjust))) best = { params: candidate.params, adjust };
  }
  return best;
}

/** For a choice shared by both axes (a padding rule): the choice with the cheapest total. */
function bestShared(axes, choices, candidatesFor) {
  let best = null;
  for (const choice of choices) {
    const perAxis = axes.map((axis) => bestWindow(axis, candidatesFor(choice, axis)));
    if (perAxis.some((x) => !x)) continue;
    const total = perAxis.reduce((sum, x) => sum + cost(x.adjust), 0);
    if (!best || total < best.total) best = { choice, perAxis, total };
  }
  return best;
}

const range = (first, last) => Array.from({ length: Math.max(last - first + 1, 0) }, (_, n) => first + n);

/** Window of an explicitly padded TensorFlow/ONNX layer: pads [b, e] >= 0 and a tail of zeros < room. */
function asymmetricFor(axis, room) {
  const begin = Math.min(Math.max(axis.begin, 0), axis.F - 1);
  const end = Math.min(Math.max(axis.begin + axis.o, begin + 1), axis.F + room);
  return { params: { b: begin, e: Math.max(axis.F - end, 0), op: Math.max(end - axis.F, 0), o: end - begin }, begin, end };
}

const TARGETS = {
  torch: (axes) => ({ axes: axes.map((axis) => bestWindow(axis, [torchFor(axis)])) }),
  tf(axes) {
    const rules = bestShared(axes, ["SAME", "VALID"], (rule, axis) =>
      range(...tfOutputRange(rule, axis.i, axis.k, axis.s, axis.d)).map((o) => {
        const begin = tfBegin(rule, axis.F, o);
        return { params: { o }, begin, end: begin + o };
      }),
    );
    if (rules && rules.total === 0) return { rule: rules.choice, axes: rules.perAxis };
    // Explicit padding: gradient of conv2d padded [b, e]; up to s - 1 trailing zeros come free.
    return { rule: "EXPLICIT", axes: axes.map((axis) => bestWindow(axis, [asymmetricFor(axis, axis.s - 1)])) };
  },
  keras(axes) {
    // output_padding is None for both axes or a number for each: the choice is shared.
    const choices = ["same", "valid"].flatMap((rule) => [{ rule, none: true }, { rule, none: false }]);
    const best = bestShared(axes, choices, ({ rule, none }, axis) =>
      (none ? [null] : range(0, axis.s - 1)).flatMap((op) => {
        const o = kerasOutputSize(rule, axis.i, span(axis.k, axis.d), axis.s, op);
        const [first, last] = tfOutputRange(rule.toUpperCase(), axis.i, axis.k, axis.s, axis.d);
        if (o < first || o > last) return [];
        const begin = tfBegin(rule.toUpperCase(), axis.F, o);
        return [{ params: { op, o }, begin, end: begin + o }];
      }),
    );
    return { rule: best.choice.rule, axes: best.perAxis };
  },
  jax(axes) {
    const rules = bestShared(axes, ["SAME", "VALID"], (rule, axis) => {
      const window = jaxWindow(axis.i, axis.k, axis.s, axis.d, jaxRulePads(rule, span(axis.k, axis.d), axis.s));
      return [{ params: {}, begin: window.begin, end: window.begin + window.o }];
    });
    if (rules && rules.total === 0) return { rule: rules.choice, axes: rules.perAxis };
    // Explicit (lo, hi) pads of the stride-dilated input express every window, negative ones by
    // cropping; but jaxlib 0.10.2 on CPU returned wrong values for negative pads with more than one
    // input channel (tests/test_port.py), so a negative pad becomes 0 plus a crop of the result.
    return {
      rule: "EXPLICIT",
      axes: axes.map((axis) => {
        const K = span(axis.k, axis.d);
        const lo = K - 1 - axis.begin;
        const hi = axis.begin + axis.o - ((axis.i - 1) * axis.s + 1);
        return { params: { lo: Math.max(lo, 0), hi: Math.max(hi, 0) }, adjust: { before: Math.max(-lo, 0), after: Math.max(-hi, 0) } };
      }),
    };
  },
  onnx: (axes) => ({ axes: axes.map((axis) => bestWindow(axis, [asymmetricFor(axis, axis.s - 1)])) }),
};

// --- Python -----------------------------------------------------------------------------------

/** "0, 2, 3, 1": the numpy transpose from one layout string to another. */
function permutation(from, to) {
  return [...to].map((letter) => from.indexOf(letter)).join(", ");
}

/** A value in a layout, as Python: x.transpose(...) made contiguous (ONNX Runtime needs it). */
function converted(name, from, to) {
  return from === to ? name : `np.ascontiguousarray(${name}.transpose(${permutation(from, to)}))`;
}

function shapeIn(layout, sizes) {
  return `(${[...layout].map((letter) => sizes[letter]).join(", ")})`;
}

/** Python code for each framework's layer; `c` common settings, `t` the target/source arguments. */
const CODE = {
  torch(c, t, x, w, y) {
    const args = [`${c.cin}, ${c.cout}`, `kernel_size=${c.k}`, `stride=${c.s}`, `padding=${pyPair(t.axes.map((a) => a.params.p))}`];
    args.push(`output_padding=${pyPair(t.axes.map((a) => a.params.op))}`, `dilation=${c.d}`, "bias=False");
    return [
      `layer = torch.nn.ConvTranspose2d(${args.join(", ")})`,
      "with torch.no_grad():",
      `    layer.weight.copy_(torch.from_numpy(${w}))`,
      `    ${y} = layer(torch.from_numpy(${x})).numpy()`,
    ];
  },
  tf(c, t, x, w, y) {
    const o = t.axes.map((a) => a.params.o);
    const padding = t.rule === "EXPLICIT" ? `[[0, 0], ${t.axes.map((a) => `[${a.params.b}, ${a.params.e}]`).join(", ")}, [0, 0]]` : `"${t.rule}"`;
    return [
      `${y} = tf.nn.conv2d_transpose(`,
      `    ${x}, ${w}, output_shape=[${c.n}, ${o.join(", ")}, ${c.cout}], strides=${c.s},`,
      `    padding=${padding}, dilations=${t.d}).numpy()`,
    ];
  },
  keras(c, t, x, w, y) {
    const ops = t.axes.map((a) => a.params.op);
    const op = ops[0] === null ? "None" : pyPair(ops);
    return [
      `layer = keras.layers.Conv2DTranspose(${c.cout}, ${t.k}, strides=${c.s}, padding="${t.rule}", output_padding=${op},`,
      `                                     dilation_rate=${t.d}, use_bias=False)`,
      `layer.build(${x}.shape)`,
      `layer.set_weights([${w}])`,
      `${y} = np.asarray(layer(${x}))`,
    ];
  },
  jax(c, t, x, w, y) {
    const padding = t.rule === "EXPLICIT" ? `[${t.axes.map((a) => `(${a.params.lo}, ${a.params.hi})`).join(", ")}]` : `"${t.rule}"`;
    return [
      "# transpose_kernel=True reads the weight as the gradient of a convolution whose kernel is",
      "# OIHW: O = this layer's in channels, I = its out channels, i.e. PyTorch's (in, out, kH, kW).",
      `${y} = np.asarray(jax.lax.conv_transpose(`,
      `    ${x}, ${w}, strides=(${c.s}, ${c.s}), padding=${padding}, rhs_dilation=(${c.d}, ${c.d}),`,
      '    dimension_numbers=("NCHW", "OIHW", "NCHW"), transpose_kernel=True))',
    ];
  },
  onnx(c, t, x, w, y) {
    const p = (key) => t.axes.map((a) => a.params[key]);
    const o = t.axes.map((a) => a.params.o);
    return [
      'node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=' + `[${c.k}, ${c.k}], strides=[${c.s}, ${c.s}],`,
      `                        pads=[${[...p("b"), ...p("e")].join(", ")}], output_padding=[${p("op").join(", ")}], dilations=[${c.d}, ${c.d}])`,
      "graph = helper.make_graph([node], \"port\", [",
      `    helper.make_tensor_value_info("x", TensorProto.FLOAT, ${x}.shape),`,
      `    helper.make_tensor_value_info("w", TensorProto.FLOAT, ${w}.shape),`,
      `], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [${c.n}, ${c.cout}, ${o.join(", ")}])])`,
      'model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])',
      "onnx.checker.check_model(model)",
      'session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])',
      `${y} = session.run(None, {"x": ${x}, "w": ${w}})[0]`,
    ];
  },
};

/** Target arguments (with each axis's window size o) in the shape CODE reads for a source. */
function sourceArguments(source, fields, c, axes) {
  const sameAxes = (params) => axes.map((axis) => ({ params: { ...params(axis), o: axis.o } }));
  switch (source) {
    case "torch":
      return { axes: sameAxes((axis) => ({ p: axis.begin, op: axis.o - (axis.F - 2 * axis.begin) })) };
    case "tf":
      return { rule: String(fields.rule).trim(), axes: sameAxes(() => ({})) };
    case "keras": {
      const text = String(fields.op ?? "").trim();
      const op = text === "" || text === "None" ? null : Number(text);
      return { rule: String(fields.rule).trim(), axes: sameAxes(() => ({ op })) };
    }
    case "jax": {
      const padding = parseJaxPadding(fields.pad);
      const explicit = typeof padding !== "string";
      return { rule: explicit ? "EXPLICIT" : padding, axes: sameAxes(() => (explicit ? { lo: padding[0], hi: padding[1] } : {})) };
    }
    default: {
      const [pb, pe, op] = ["pb", "pe", "op"].map((key) => Number(String(fields[key]).trim()));
      return { axes: sameAxes(() => ({ b: pb, e: pe, op })) };
    }
  }
}

/**
 * The kernel a target runs: TensorFlow's CPU kernels, which Keras runs too, reject dilations > 1
 * unless oneDNN runs them (on some CPUs only), so there the replacement is the dilated kernel
 * itself, written out with zeros between the taps (same window, dilation 1).
 */
function kernelFor(framework, c) {
  const dilate = c.d > 1 && (framework === "tf" || framework === "keras");
  return dilate ? { k: span(c.k, c.d), d: 1, dilated: true } : { k: c.k, d: c.d, dilated: false };
}

/**
 * Lines that zero-pad, then crop (slice) the target's H and W to the source's window.
 * `axes` [{adjust, size}] for H and W, size being the source's output size.
 */
function adjustLines(y, layout, axes) {
  const byLetter = { H: axes[0], W: axes[1] };
  const each = (fn) => [...layout].map((letter) => (byLetter[letter] ? fn(byLetter[letter]) : null));
  const lines = [];
  if (axes.some(({ adjust }) => adjust.before < 0 || adjust.after < 0)) {
    const widths = each(({ adjust }) => `(${Math.max(-adjust.before, 0)}, ${Math.max(-adjust.after, 0)})`);
    lines.push(`${y} = np.pad(${y}, (${widths.map((w) => w ?? "(0, 0)").join(", ")}))  # zeros lie outside the full output`);
  }
  if (axes.some(({ adjust }) => adjust.before > 0 || adjust.after > 0)) {
    const slices = each(({ adjust, size }) => `${Math.max(adjust.before, 0)}:${Math.max(adjust.before, 0) + size}`);
    lines.push(`${y} = ${y}[${slices.map((s) => s ?? ":").join(", ")}]  # crop`);
  }
  return lines;
}

/** Plain-language notes on what a target cannot express and what replaces it. */
function targetNotes(framework, t, c) {
  const notes = [];
  const label = FRAMEWORKS[framework].label;
  t.axes.forEach((axis, a) => {
    const { before, after } = axis.adjust;
    const parts = [];
    if (before > 0) parts.push(`crop ${before} at the start`);
    if (before < 0) parts.push(`pad ${-before} zeros at the start`);
    if (after > 0) parts.push(`crop ${after} at the end`);
    if (after < 0) parts.push(`pad ${-after} zeros at the end`);
    if (parts.length) notes.push(`${label} cannot express this layer's ${AXIS_NAMES[a]} alone: ${parts.join(" and ")} of its output.`);
  });
  if (t.dilated) {
    const why = `${framework === "tf" ? "TensorFlow's" : "Keras's"} CPU kernels reject dilations > 1 unless oneDNN runs them (on some CPUs only)`;
    notes.push(`${why}: the replacement is a ${t.k} × ${t.k} kernel with the taps ${c.d} apart and zeros between them, dilation 1.`);
  }
  if (t.rule === "EXPLICIT" && framework === "tf") notes.push('No "SAME"/"VALID" rule gives this window: explicit padding does.');
  if (t.rule === "EXPLICIT" && framework === "jax") notes.push('No "SAME"/"VALID" rule gives this window: explicit (lo, hi) pairs do.');
  return notes;
}

/** The full Python check: both layers on random data, the target converted and compared. */
function snippet(source, target, c, sourceArgs, t) {
  const S = FRAMEWORKS[source];
  const T = FRAMEWORKS[target];
  const imports = [...new Set(["import numpy as np", ...S.imports, ...T.imports])];
  const dims = { N: c.n, C: c.cin, H: c.sizes[0], W: c.sizes[1] };
  const weightDims = { I: c.cin, O: c.cout, H: c.k, W: c.k };
  const xt = `x_${target}`;
  const wt = `w_${target}`;
  const yt = `y_${target}`;
  const lines = [
    ...imports,
    "",
    "rng = np.random.default_rng(0)",
    `x = rng.standard_normal(${shapeIn(S.data, dims)}, dtype=np.float32)  # ${S.label}: ${S.data}`,
    `w = rng.standard_normal(${shapeIn(S.weight, weightDims)}, dtype=np.float32)  # ${S.label} weight: ${S.weight}`,
    `# ${S.label} (the source)`,
    ...CODE[source](c, sourceArgs, "x", "w", "y_source"),
    "",
    `# ${T.label}: data ${T.data}, weight ${T.weight}`,
    `${xt} = ${converted("x", S.data, T.data)}`,
    `${wt} = ${converted("w", S.weight, T.weight)}`,
  ];
  if (t.dilated) {
    lines.push(
      `${wt}, w_taps = np.zeros((${t.k}, ${t.k}, ${c.cout}, ${c.cin}), np.float32), ${wt}`,
      `${wt}[::${c.d}, ::${c.d}] = w_taps  # the dilated kernel, written out`,
    );
  }
  lines.push(...CODE[target](c, t, xt, wt, yt));
  lines.push(...adjustLines(yt, T.data, t.axes.map((axis, a) => ({ ...axis, size: c.outputs[a] }))));
  lines.push(`np.testing.assert_allclose(${converted(yt, T.data, S.data)}, y_source, rtol=1e-4, atol=1e-4)`, "");
  return lines.join("\n");
}

/**
 * Translate a layer: `source` is a key of FRAMEWORKS, `fields` its SOURCE_FIELDS as texts.
 * Returns {outputShape: [N, C, H, W] of the source, windows, targets: [{framework, label, api,
 * exact, notes, code, weight, outputSize, snippet}]} for every framework (the source included,
 * as a self-check); throws a FieldError naming the field for bad input.
 */
export function portLayer(source, fields) {
  if (!Object.hasOwn(SOURCE_READERS, source)) {
    throw new FieldError("source", `source must be one of ${Object.keys(FRAMEWORKS).join(", ")}, got ${JSON.stringify(source)}`);
  }
  const common = readCommon(fields);
  const axes = SOURCE_READERS[source](fields, common);
  const c = { ...common, n: 2, outputs: axes.map((axis) => axis.o) };
  const sourceArgs = { k: c.k, d: c.d, ...sourceArguments(source, fields, common, axes) };
  const targets = Object.keys(FRAMEWORKS).map((framework) => {
    const t = { ...kernelFor(framework, c), ...TARGETS[framework](axes) };
    const exact = t.axes.every((axis) => axis.adjust.before === 0 && axis.adjust.after === 0) && !t.dilated;
    const T = FRAMEWORKS[framework];
    return {
      framework, label: T.label, api: T.api, exact, notes: targetNotes(framework, t, c),
      code: CODE[framework](c, t, "x", "w", "y").join("\n"),
      weight: `${T.weight} from ${FRAMEWORKS[source].weight}: ${converted("w", FRAMEWORKS[source].weight, T.weight)}`,
      outputSize: axes.map((axis) => axis.o),
      snippet: snippet(source, framework, c, sourceArgs, t),
    };
  });
  return { outputShape: [c.n, c.cout, ...c.outputs], targets };
}
