/**
 * calculator-model.mjs: the network shape calculator of docs/interactive/calculator.md without
 * the page (importable from Node): layer types, the shapes, the URL, and what the page says.
 *
 * A list of layers (PyTorch Conv2d, MaxPool2d, AvgPool2d, ConvTranspose2d; TensorFlow SAME and
 * VALID convolution and pooling; Flatten; Linear) turns an input shape (C, H, W) into each
 * layer's output shape. PyTorch sizes come from convarith.mjs (torch-tested); TensorFlow's
 * SAME/VALID rules mirror snippets/shapes.py (same_output_size, valid_output_size).
 *
 * The network lives in the URL's query string, so a link reproduces it:
 *   ?in=1,28,28&net=conv_same:32,5,1;pool_same:2,2;flatten
 * A link that cannot be read (tampered, truncated) gives an error (the page then shows the MNIST
 * example); values that can be read but are invalid (stride 0) are kept as typed and explained on
 * their layer. calculator.mjs draws all this.
 */
import { checkInt, convOutputSize, convTransposeOutputSize } from "./convarith.mjs";
import { parseField } from "./parse-field.mjs";

/** Channel and feature counts may exceed LIMITS.maxSize (VGG's classifier has 25088 inputs). */
const MAX_COUNT = 1_000_000_000;
/** A link may hold at most this many layers, and the page adds no more. */
export const MAX_LAYERS = 64;
const MAX_QUERY = 4000;

/**
 * Layer types: a label, parameters [name, minimum, default] and whether they are counts
 * (channels/features, checked against MAX_COUNT) or sizes (checked by convarith's checkInt).
 */
export const LAYER_TYPES = {
  conv2d: {
    label: "Conv2d",
    params: [["out_channels", 1, 32], ["kernel_size", 1, 3], ["stride", 1, 1], ["padding", 0, 1], ["dilation", 1, 1]],
  },
  maxpool2d: {
    label: "MaxPool2d",
    params: [["kernel_size", 1, 2], ["stride", 1, 2], ["padding", 0, 0], ["dilation", 1, 1]],
  },
  avgpool2d: {
    label: "AvgPool2d",
    params: [["kernel_size", 1, 2], ["stride", 1, 2], ["padding", 0, 0]],
  },
  convtranspose2d: {
    label: "ConvTranspose2d",
    params: [
      ["out_channels", 1, 32], ["kernel_size", 1, 3], ["stride", 1, 2], ["padding", 0, 1],
      ["output_padding", 0, 1], ["dilation", 1, 1],
    ],
  },
  conv_same: {
    label: 'TensorFlow Conv2D, padding="SAME"',
    params: [["filters", 1, 32], ["kernel_size", 1, 5], ["strides", 1, 1]],
  },
  conv_valid: {
    label: 'TensorFlow Conv2D, padding="VALID"',
    params: [["filters", 1, 32], ["kernel_size", 1, 5], ["strides", 1, 1]],
  },
  pool_same: {
    label: 'TensorFlow MaxPool2D / AvgPool2D, padding="SAME"',
    params: [["pool_size", 1, 2], ["strides", 1, 2]],
  },
  pool_valid: {
    label: 'TensorFlow MaxPool2D / AvgPool2D, padding="VALID"',
    params: [["pool_size", 1, 2], ["strides", 1, 2]],
  },
  flatten: { label: "Flatten", params: [] },
  linear: { label: "Linear", params: [["in_features", 1, 3136], ["out_features", 1, 10]] },
};
const COUNTS = new Set(["out_channels", "filters", "in_features", "out_features"]);

/** TensorFlow's classic MNIST network: 28 x 28 x 1 -> ... -> 7 x 7 x 64 = 3136 -> 1024 -> 10. */
export const MNIST = Object.freeze({
  input: ["1", "28", "28"],
  layers: [
    { type: "conv_same", values: ["32", "5", "1"] },
    { type: "pool_same", values: ["2", "2"] },
    { type: "conv_same", values: ["64", "5", "1"] },
    { type: "pool_same", values: ["2", "2"] },
    { type: "flatten", values: [] },
    { type: "linear", values: ["3136", "1024"] },
    { type: "linear", values: ["1024", "10"] },
  ],
});

/** checkInt's rule and message, with a larger cap for channel and feature counts. */
function checkCount(name, value, minimum) {
  if (typeof value === "number" && Number.isInteger(value) && value > MAX_COUNT) {
    throw new Error(`${name} must be <= ${MAX_COUNT}, got ${value}`);
  }
  if (typeof value === "number" && Number.isInteger(value) && value >= minimum) return value + 0;
  return checkInt(name, value, minimum); // throws with convarith's wording
}

function checkParam(name, minimum, text) {
  const value = parseField(text);
  return COUNTS.has(name) ? checkCount(name, value, minimum) : checkInt(name, value, minimum);
}

// --- TensorFlow, mirroring snippets/shapes.py ------------------------------------------------

/** TensorFlow padding="SAME": ceil(i / s), whatever the kernel size (same_output_size). */
export function sameOutputSize(i, s) {
  return Math.ceil(checkInt("input size i", i, 1) / checkInt("strides", s, 1));
}

/** TensorFlow padding="VALID": ceil((i - d(k - 1)) / s), the positions where the kernel fits. */
export function validOutputSize(i, k, s, d = 1) {
  i = checkInt("input size i", i, 1);
  k = checkInt("kernel size k", k, 1);
  s = checkInt("strides", s, 1);
  d = checkInt("dilation d", d, 1);
  const effectiveK = d * (k - 1) + 1;
  const o = Math.ceil((i - effectiveK + 1) / s);
  if (o < 1) throw new Error(`output size would be ${o}: kernel spans ${effectiveK} > i = ${i}`);
  return o;
}

// --- one layer --------------------------------------------------------------------------------

/** A shape as Python prints it: (3136,) or (64, 7, 7). */
export const describeShape = (shape) => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`);

/** Both spatial sides through one size function; a message says which side failed if they differ. */
function spatial(h, w, size) {
  const sides = [];
  for (const [axis, i] of [["height", h], ["width", w]]) {
    try {
      sides.push(size(i));
    } catch (error) {
      throw new Error(h === w ? error.message : `${error.message} (in ${axis})`);
    }
  }
  return sides;
}

/** PyTorch's pooling: "pad should be at most half of kernel size" (whatever the dilation). */
function poolSize(p) {
  if (2 * p.padding > p.kernel_size) {
    throw new Error(`padding must be at most half of kernel_size = ${p.kernel_size}, got ${p.padding}`);
  }
  return (i) => convOutputSize(i, p.kernel_size, p.stride, p.padding, p.dilation ?? 1);
}

/**
 * The layers of images: size(p) gives the size function of one side for parameters p (it may
 * throw first), channels(p, c) the output channels for c input channels.
 */
const IMAGE_LAYERS = {
  conv2d: {
    size: (p) => (i) => convOutputSize(i, p.kernel_size, p.stride, p.padding, p.dilation),
    channels: (p) => p.out_channels,
  },
  maxpool2d: { size: poolSize, channels: (p, c) => c },
  avgpool2d: { size: poolSize, channels: (p, c) => c },
  convtranspose2d: {
    size: (p) => (i) => convTransposeOutputSize(i, p.kernel_size, p.stride, p.padding, p.dilation, p.output_padding),
    channels: (p) => p.out_channels,
  },
  conv_same: { size: (p) => (i) => sameOutputSize(i, p.strides), channels: (p) => p.filters },
  pool_same: { size: (p) => (i) => sameOutputSize(i, p.strides), channels: (p, c) => c },
  conv_valid: { size: (p) => (i) => validOutputSize(i, p.kernel_size, p.strides), channels: (p) => p.filters },
  pool_valid: { size: (p) => (i) => validOutputSize(i, p.pool_size, p.strides), channels: (p, c) => c },
};

/**
 * A Linear whose in_features differ from the incoming features: it carries the output shape so
 * that the layers below can still be computed.
 */
export class LinearMismatch extends Error {
  constructor(message, shape) {
    super(message);
    this.shape = shape;
  }
}

/** Flatten and Linear, the layers that give a flat shape [N]. */
function flatOutput(type, p, incoming) {
  if (type === "flatten") {
    const n = incoming.reduce((a, b) => a * b, 1);
    if (n > Number.MAX_SAFE_INTEGER) throw new Error(`the flatten size ${incoming.join(" × ")} is too large to count exactly`);
    return { shape: [n], note: incoming.length === 3 ? `${incoming.join(" × ")} = ${n} features` : "already flat" };
  }
  if (incoming.length !== 1) {
    throw new Error(`Linear needs a flat input: add a Flatten above it (its input is ${describeShape(incoming)})`);
  }
  if (p.in_features !== incoming[0]) {
    throw new LinearMismatch(
      `in_features is ${p.in_features}, but the layer above gives ${incoming[0]} features: set in_features = ${incoming[0]}`,
      [p.out_features],
    );
  }
  return { shape: [p.out_features], note: `in_features ${p.in_features} matches the ${incoming[0]} incoming features` };
}

/**
 * The output shape of one layer for the incoming shape ([C, H, W] or [N]), from the texts of its
 * parameters. Returns {shape, note?}; throws an Error naming the parameter for bad settings, or a
 * LinearMismatch.
 */
export function layerOutput(type, texts, incoming) {
  const spec = Object.hasOwn(LAYER_TYPES, type) ? LAYER_TYPES[type] : null;
  if (!spec) throw new Error(`unknown layer type ${JSON.stringify(type)}`);
  const p = {};
  spec.params.forEach(([name, minimum], index) => {
    p[name] = checkParam(name, minimum, texts[index] ?? "");
  });
  if (type === "flatten" || type === "linear") return flatOutput(type, p, incoming);
  if (incoming.length !== 3) {
    throw new Error(`${spec.label} needs a (C, H, W) input, but the layer above gives a flat ${describeShape(incoming)}`);
  }
  const [c, h, w] = incoming;
  const { size, channels } = IMAGE_LAYERS[type];
  return { shape: [channels(p, c), ...spatial(h, w, size(p))] };
}

/** The input shape [C, H, W] from its texts; throws an Error naming the bad one. */
function inputShape(texts) {
  return [
    checkCount("input channels C", parseField(texts[0] ?? ""), 1),
    checkInt("input height H", parseField(texts[1] ?? ""), 1),
    checkInt("input width W", parseField(texts[2] ?? ""), 1),
  ];
}

/**
 * Every layer's result for the state {input: [C, H, W] texts, layers: [{type, values}]}:
 * {input: {shape} | {error}, rows: [{shape, note} | {error, shape?} | {skipped}], output, flatten}.
 * A layer below an error is skipped, except below a Linear mismatch, whose shape is known.
 */
export function computeNetwork(state) {
  const result = { rows: [], output: null, flatten: null };
  let shape = null;
  try {
    shape = inputShape(state.input);
    result.input = { shape };
  } catch (error) {
    result.input = { error: error.message };
  }
  for (const layer of state.layers) {
    if (shape === null) {
      result.rows.push({ skipped: true });
      continue;
    }
    try {
      const row = layerOutput(layer.type, layer.values, shape);
      if (layer.type === "flatten" && shape.length === 3) result.flatten = { from: shape, size: row.shape[0] };
      result.rows.push(row);
      shape = row.shape;
    } catch (error) {
      const known = error instanceof LinearMismatch ? error.shape : null;
      result.rows.push(known ? { error: error.message, shape: known } : { error: error.message });
      shape = known;
    }
  }
  result.output = shape;
  return result;
}

// --- what the page says -------------------------------------------------------------------------

/**
 * What the page says under one layer, from its row of computeNetwork: {isError, text, shape (the
 * output shape in bold, if any), after (the text after it), output (the shape text for the
 * layer's data-output), invalid (the names of the parameters the message is about)}.
 */
export function layerReport(row, index, type) {
  if (row.skipped) {
    return { isError: false, text: "Output: — (fix the layer above first)", shape: "", after: "", output: "", invalid: [] };
  }
  if (row.error) {
    const output = row.shape ? describeShape(row.shape) : "";
    return {
      isError: true,
      text: `Layer ${index + 1}: ${row.error}` + (row.shape ? ` — output ${output}` : ""),
      shape: "",
      after: "",
      output,
      invalid: LAYER_TYPES[type].params
        .map(([name]) => name)
        .filter((name) => new RegExp(`^${name}\\b|\\b${name} `).test(row.error)),
    };
  }
  const size = row.shape.reduce((a, b) => a * b, 1);
  return {
    isError: false,
    text: "Output ",
    shape: describeShape(row.shape),
    after: (row.shape.length === 3 ? `: ${size} values (C × H × W)` : "") + (row.note ? ` — ${row.note}` : ""),
    output: describeShape(row.shape),
    invalid: [],
  };
}

/** Which of the input fields "C", "H", "W" the input's error message is about. */
export function invalidInputs(result) {
  if (!result.input.error) return [];
  const named = { C: /channels/, H: /height/, W: /width/ };
  return Object.keys(named).filter((key) => named[key].test(result.input.error));
}

/** The line under the layers: problems, the network's output, and the flatten size. */
export function networkSummary(result, layerCount) {
  const errors = result.rows.filter((r) => r.error).length + (result.input.error ? 1 : 0);
  const parts = [];
  if (errors) parts.push(`${errors} problem(s): see the message(s) above.`);
  if (result.output) parts.push(`Network output: ${describeShape(result.output)}.`);
  if (result.flatten) {
    const [c, h, w] = result.flatten.from;
    parts.push(`Flatten size: ${result.flatten.size} = ${h} × ${w} × ${c} (H × W × C).`);
  } else if (result.output && result.output.length === 3) {
    parts.push(`Flattened it would be ${result.output.reduce((a, b) => a * b, 1)} values.`);
  }
  if (layerCount === 0) parts.push("No layers yet: add one.");
  return parts.join(" ");
}

// --- the state and the URL ----------------------------------------------------------------------

/** A copy of a state that edits of the copy leave alone. */
export const cloneState = (state) => ({
  input: [...state.input],
  layers: state.layers.map((l) => ({ type: l.type, values: [...l.values] })),
});

/** A new layer of a type, with its default parameters. */
export const defaultLayer = (type) => ({ type, values: LAYER_TYPES[type].params.map(([, , value]) => String(value)) });

/** The query string for a state: ?in=1,28,28&net=conv_same:32,5,1;pool_same:2,2;flatten */
export function encodeState(state) {
  const enc = (text) => encodeURIComponent(String(text));
  const net = state.layers
    .map((layer) => (layer.values.length ? `${layer.type}:${layer.values.map(enc).join(",")}` : layer.type))
    .join(";");
  return `?in=${state.input.map(enc).join(",")}&net=${net}`;
}

const decodeText = (text) => decodeURIComponent(text.replace(/\+/g, " "));

/** The "in" and "net" parameters of a query (others are not ours): {params} or {error}. */
function queryParams(query) {
  const params = {};
  for (const part of query.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    if (key !== "in" && key !== "net") continue; // e.g. search highlighting
    if (Object.hasOwn(params, key)) return { error: `the link gives "${key}" twice` };
    params[key] = eq < 0 ? "" : part.slice(eq + 1);
  }
  return { params };
}

/** Layer `index` of the link's "net" ("type:v1,v2"): {layer} or {error}. */
function decodeLayer(item, index) {
  const colon = item.indexOf(":");
  const type = decodeText(colon < 0 ? item : item.slice(0, colon));
  const spec = Object.hasOwn(LAYER_TYPES, type) ? LAYER_TYPES[type] : null;
  if (!spec) return { error: `layer ${index + 1} of the link has an unknown type ${JSON.stringify(type.slice(0, 40))}` };
  const values = colon < 0 ? [] : item.slice(colon + 1).split(",").map(decodeText);
  if (values.length !== spec.params.length) {
    return {
      error:
        `layer ${index + 1} of the link (${spec.label}) has ${values.length} value(s); ` +
        `it takes ${spec.params.length} (${spec.params.map(([n]) => n).join(", ") || "none"})`,
    };
  }
  return { layer: { type, values } };
}

/** A state from the "in" and "net" parameters: {state} or {error}. */
function decodeNetwork(params) {
  const input = params.in.split(",").map(decodeText);
  if (input.length !== 3) return { error: `the input shape "in" must be three values C,H,W; the link has ${input.length}` };
  const items = params.net === "" ? [] : params.net.split(";");
  if (items.length > MAX_LAYERS) return { error: `the link has ${items.length} layers; at most ${MAX_LAYERS}` };
  const layers = [];
  for (const [index, item] of items.entries()) {
    const { layer, error } = decodeLayer(item, index);
    if (error) return { error };
    layers.push(layer);
  }
  return { state: { input, layers } };
}

/**
 * Read a state from a query string. Returns {state} (null for a query without a network) or
 * {error} (never throws): an error for anything that is not a network this page could have
 * written; values are kept as text.
 */
export function decodeState(search) {
  try {
    const query = String(search).replace(/^\?/, "");
    if (query === "") return { state: null };
    if (query.length > MAX_QUERY) return { error: `the link is ${query.length} characters long, more than ${MAX_QUERY}` };
    const { params, error } = queryParams(query);
    if (error) return { error };
    if (!("in" in params) && !("net" in params)) return { state: null };
    if (!("in" in params)) return { error: 'the link has a network ("net") but no input shape ("in")' };
    if (!("net" in params)) return { error: 'the link has an input shape ("in") but no network ("net")' };
    return decodeNetwork(params);
  } catch (error) {
    return { error: `the link could not be decoded (${error.message})` };
  }
}
