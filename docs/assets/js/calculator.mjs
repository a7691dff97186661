/**
 * calculator.mjs: the network shape calculator of docs/interactive/calculator.md.
 *
 * A list of layers (PyTorch Conv2d, MaxPool2d, AvgPool2d, ConvTranspose2d; TensorFlow SAME and
 * VALID convolution and pooling; Flatten; Linear) turns an input shape (C, H, W) into each
 * layer's output shape. PyTorch sizes come from convarith.mjs (torch-tested); TensorFlow's
 * SAME/VALID rules mirror snippets/shapes.py (same_output_size, valid_output_size).
 *
 * The network lives in the URL's query string, so a link reproduces it:
 *   ?in=1,28,28&net=conv_same:32,5,1;pool_same:2,2;flatten
 * A link that cannot be read (tampered, truncated) shows a message and the MNIST example; values
 * that can be read but are invalid (stride 0) are loaded as typed and explained on their layer.
 *
 * The top half is pure (importable from Node); mount() wires it to the page.
 */
import { checkInt, convOutputSize, convTransposeOutputSize, LIMITS } from "./convarith.mjs";
import { element } from "./dom.mjs";

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

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A number if the text is a decimal number, else the text (which the checks reject, quoted). */
export function parseField(text) {
  const trimmed = String(text).trim();
  return NUMBER.test(trimmed) ? Number(trimmed) : String(text);
}

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

const describe = (shape) => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`);

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

/**
 * The output shape of one layer for the incoming shape ([C, H, W] or [N]).
 * Returns {shape, note?}; throws an Error naming the parameter for bad settings. A Linear whose
 * in_features differ from the incoming features throws LinearMismatch, which carries the output
 * shape so the layers below can still be computed.
 */
export class LinearMismatch extends Error {
  constructor(message, shape) {
    super(message);
    this.shape = shape;
  }
}

export function layerOutput(type, texts, incoming) {
  const spec = LAYER_TYPES[type];
  if (!spec) throw new Error(`unknown layer type ${JSON.stringify(type)}`);
  const p = {};
  spec.params.forEach(([name, minimum], index) => {
    p[name] = checkParam(name, minimum, texts[index] ?? "");
  });
  if (type === "flatten") {
    const n = incoming.reduce((a, b) => a * b, 1);
    if (n > Number.MAX_SAFE_INTEGER) throw new Error(`the flatten size ${incoming.join(" × ")} is too large to count exactly`);
    return { shape: [n], note: incoming.length === 3 ? `${incoming.join(" × ")} = ${n} features` : "already flat" };
  }
  if (type === "linear") {
    if (incoming.length !== 1) {
      throw new Error(`Linear needs a flat input: add a Flatten above it (its input is ${describe(incoming)})`);
    }
    if (p.in_features !== incoming[0]) {
      throw new LinearMismatch(
        `in_features is ${p.in_features}, but the layer above gives ${incoming[0]} features: set in_features = ${incoming[0]}`,
        [p.out_features],
      );
    }
    return { shape: [p.out_features], note: `in_features ${p.in_features} matches the ${incoming[0]} incoming features` };
  }
  if (incoming.length !== 3) {
    throw new Error(`${spec.label} needs a (C, H, W) input, but the layer above gives a flat ${describe(incoming)}`);
  }
  const [c, h, w] = incoming;
  let sides;
  let channels = c;
  switch (type) {
    case "conv2d":
      sides = spatial(h, w, (i) => convOutputSize(i, p.kernel_size, p.stride, p.padding, p.dilation));
      channels = p.out_channels;
      break;
    case "maxpool2d":
    case "avgpool2d": {
      // PyTorch: "pad should be at most half of kernel size" (whatever the dilation).
      if (2 * p.padding > p.kernel_size) {
        throw new Error(`padding must be at most half of kernel_size = ${p.kernel_size}, got ${p.padding}`);
      }
      sides = spatial(h, w, (i) => convOutputSize(i, p.kernel_size, p.stride, p.padding, p.dilation ?? 1));
      break;
    }
    case "convtranspose2d":
      sides = spatial(h, w, (i) =>
        convTransposeOutputSize(i, p.kernel_size, p.stride, p.padding, p.dilation, p.output_padding),
      );
      channels = p.out_channels;
      break;
    case "conv_same":
    case "pool_same":
      sides = spatial(h, w, (i) => sameOutputSize(i, p.strides));
      if (type === "conv_same") channels = p.filters;
      break;
    case "conv_valid":
    case "pool_valid":
      sides = spatial(h, w, (i) => validOutputSize(i, p.kernel_size ?? p.pool_size, p.strides));
      if (type === "conv_valid") channels = p.filters;
      break;
    default:
      throw new Error(`unknown layer type ${JSON.stringify(type)}`);
  }
  return { shape: [channels, ...sides] };
}

/**
 * Every layer's result for the state {input: [C, H, W] texts, layers: [{type, values}]}:
 * {input: {shape} | {error}, rows: [{shape, note} | {error, shape?} | {skipped}], output, flatten}.
 */
export function computeNetwork(state) {
  const result = { rows: [], output: null, flatten: null };
  let shape = null;
  try {
    shape = [
      checkCount("input channels C", parseField(state.input[0] ?? ""), 1),
      checkInt("input height H", parseField(state.input[1] ?? ""), 1),
      checkInt("input width W", parseField(state.input[2] ?? ""), 1),
    ];
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
      if (error instanceof LinearMismatch) {
        result.rows.push({ error: error.message, shape: error.shape });
        shape = error.shape;
      } else {
        result.rows.push({ error: error.message });
        shape = null;
      }
    }
  }
  result.output = shape;
  return result;
}

// --- the URL ----------------------------------------------------------------------------------

/** The query string for a state: ?in=1,28,28&net=conv_same:32,5,1;pool_same:2,2;flatten */
export function encodeState(state) {
  const enc = (text) => encodeURIComponent(String(text));
  const net = state.layers
    .map((layer) => (layer.values.length ? `${layer.type}:${layer.values.map(enc).join(",")}` : layer.type))
    .join(";");
  return `?in=${state.input.map(enc).join(",")}&net=${net}`;
}

/**
 * Read a state from a query string. Returns {state} or {error} (never throws): an error for
 * anything that is not a network this page could have written; values are kept as text.
 */
export function decodeState(search) {
  try {
    const query = String(search).replace(/^\?/, "");
    if (query === "") return { state: null };
    if (query.length > MAX_QUERY) return { error: `the link is ${query.length} characters long, more than ${MAX_QUERY}` };
    const params = {};
    for (const part of query.split("&")) {
      if (part === "") continue;
      const eq = part.indexOf("=");
      const key = eq < 0 ? part : part.slice(0, eq);
      if (key !== "in" && key !== "net") continue; // other parameters (e.g. search highlighting) are not ours
      if (Object.hasOwn(params, key)) return { error: `the link gives "${key}" twice` };
      params[key] = eq < 0 ? "" : part.slice(eq + 1);
    }
    if (!("in" in params) && !("net" in params)) return { state: null };
    if (!("in" in params)) return { error: 'the link has a network ("net") but no input shape ("in")' };
    if (!("net" in params)) return { error: 'the link has an input shape ("in") but no network ("net")' };
    const dec = (text) => decodeURIComponent(text.replace(/\+/g, " "));
    const input = params.in.split(",").map(dec);
    if (input.length !== 3) {
      return { error: `the input shape "in" must be three values C,H,W; the link has ${input.length}` };
    }
    const items = params.net === "" ? [] : params.net.split(";");
    if (items.length > MAX_LAYERS) return { error: `the link has ${items.length} layers; at most ${MAX_LAYERS}` };
    const layers = [];
    for (const [index, item] of items.entries()) {
      const colon = item.indexOf(":");
      const type = dec(colon < 0 ? item : item.slice(0, colon));
      const spec = Object.hasOwn(LAYER_TYPES, type) ? LAYER_TYPES[type] : null;
      if (!spec) {
        return { error: `layer ${index + 1} of the link has an unknown type ${JSON.stringify(type.slice(0, 40))}` };
      }
      const values = colon < 0 ? [] : item.slice(colon + 1).split(",").map(dec);
      if (values.length !== spec.params.length) {
        return {
          error:
            `layer ${index + 1} of the link (${spec.label}) has ${values.length} value(s); ` +
            `it takes ${spec.params.length} (${spec.params.map(([n]) => n).join(", ") || "none"})`,
        };
      }
      layers.push({ type, values });
    }
    return { state: { input, layers } };
  } catch (error) {
    return { error: `the link could not be decoded (${error.message})` };
  }
}

// --- the page ---------------------------------------------------------------------------------

function textField(id, labelText, value) {
  return element(
    "div",
    { class: "cv-field" },
    element("label", { for: id, text: labelText }),
    element("input", { id, type: "text", inputmode: "numeric", autocomplete: "off", spellcheck: "false", value }),
  );
}

function typeSelect(id, labelText, selected) {
  const select = element("select", { id });
  for (const [type, spec] of Object.entries(LAYER_TYPES)) {
    const option = element("option", { value: type, text: spec.label });
    if (type === selected) option.selected = true;
    select.append(option);
  }
  return element("div", { class: "cv-field" }, element("label", { for: id, text: labelText }), select);
}

const clone = (state) => ({ input: [...state.input], layers: state.layers.map((l) => ({ type: l.type, values: [...l.values] })) });

/** Wire the calculator into root (the page's <div id="calculator">). */
export function mount(root) {
  root.textContent = "";
  let state = clone(MNIST);
  const linkMessage = element("p", { id: "calculator-link-message", class: "cv-message", role: "status", "aria-live": "polite" });
  const inputFields = element("fieldset", { class: "cv-input-shape" }, element("legend", { text: "Input shape" }));
  const inputMessage = element("p", { id: "calculator-input-message", class: "cv-message", "aria-live": "polite" });
  const list = element("ol", { class: "cv-layers", id: "calculator-layers", "aria-label": "Layers" });
  const addType = typeSelect("calculator-add-type", "New layer", "conv2d");
  const addButton = element("button", { type: "button", class: "cv-button", id: "calculator-add", text: "Add layer" });
  const reset = element("button", { type: "button", class: "cv-button", id: "calculator-reset", text: "Reset to the MNIST example" });
  const summary = element("p", { class: "cv-summary", id: "calculator-summary", "aria-live": "polite" });
  const link = element("a", { id: "calculator-link", href: "" }, "Link to this network");
  root.append(
    linkMessage,
    inputFields,
    inputMessage,
    list,
    element("div", { class: "cv-add" }, addType, addButton, reset),
    summary,
    element("p", {}, link, " (the page's address holds the whole network: bookmark or share it)"),
  );
  [["C", "channels C"], ["H", "height H"], ["W", "width W"]].forEach(([key, text], index) => {
    const field = textField(`calculator-input-${key}`, text, state.input[index]);
    field.querySelector("input").addEventListener("input", (event) => {
      state.input[index] = event.target.value;
      recompute();
    });
    inputFields.append(field);
  });
  const inputs = () => [...inputFields.querySelectorAll("input")];

  /** Rebuild the list (after a structural change); refocus the element with focusId if given. */
  const render = (focusId) => {
    inputs().forEach((input, index) => {
      input.value = state.input[index];
    });
    list.textContent = "";
    state.layers.forEach((layer, index) => {
      const spec = LAYER_TYPES[layer.type];
      const n = index + 1;
      const item = element("li", { class: "cv-layer", "data-index": String(index), "data-type": layer.type });
      const typeField = typeSelect(`layer-${n}-type`, `Layer ${n}`, layer.type);
      typeField.querySelector("select").addEventListener("change", (event) => {
        const type = event.target.value;
        state.layers[index] = { type, values: LAYER_TYPES[type].params.map(([, , value]) => String(value)) };
        render(`layer-${n}-type`);
      });
      const button = (text, label, id, disabled, action) => {
        const b = element("button", { type: "button", class: "cv-small", id, "aria-label": label, text });
        b.disabled = disabled;
        b.addEventListener("click", action);
        return b;
      };
      const move = (delta) => () => {
        const [moved] = state.layers.splice(index, 1);
        state.layers.splice(index + delta, 0, moved);
        const target = index + delta + 1;
        const still = delta < 0 ? (target === 1 ? "down" : "up") : target === state.layers.length ? "up" : "down";
        render(`layer-${target}-${still}`);
      };
      const actions = element(
        "div",
        { class: "cv-layer-actions" },
        button("↑", `Move layer ${n} up`, `layer-${n}-up`, index === 0, move(-1)),
        button("↓", `Move layer ${n} down`, `layer-${n}-down`, index === state.layers.length - 1, move(1)),
        button("Remove", `Remove layer ${n}`, `layer-${n}-remove`, false, () => {
          state.layers.splice(index, 1);
          const next = Math.min(index, state.layers.length - 1);
          render(next >= 0 ? `layer-${next + 1}-remove` : "calculator-add");
        }),
      );
      const params = element("div", { class: "cv-params" });
      spec.params.forEach(([name], p) => {
        const field = textField(`layer-${n}-${name}`, name, layer.values[p]);
        field.querySelector("input").addEventListener("input", (event) => {
          layer.values[p] = event.target.value;
          recompute();
        });
        params.append(field);
      });
      const output = element("p", { class: "cv-layer-output", id: `layer-${n}-output`, "aria-live": "polite" });
      item.append(element("div", { class: "cv-layer-head" }, element("span", { class: "cv-layer-number", text: `${n}.` }), typeField, actions));
      if (spec.params.length) item.append(params);
      item.append(output);
      list.append(item);
    });
    recompute();
    if (focusId) document.getElementById(focusId)?.focus();
  };

  const recompute = () => {
    const result = computeNetwork(state);
    inputs().forEach((input) => input.removeAttribute("aria-invalid"));
    if (result.input.error) {
      inputMessage.textContent = `Input: ${result.input.error}`;
      inputMessage.classList.add("cv-error");
      const named = { C: /channels/, H: /height/, W: /width/ };
      inputs().forEach((input) => {
        const key = input.id.slice(-1);
        if (named[key].test(result.input.error)) input.setAttribute("aria-invalid", "true");
      });
    } else {
      inputMessage.textContent = "";
      inputMessage.classList.remove("cv-error");
    }
    [...list.children].forEach((item, index) => {
      const row = result.rows[index];
      const output = item.querySelector(".cv-layer-output");
      item.classList.toggle("cv-has-error", Boolean(row.error));
      item.querySelectorAll(".cv-params input").forEach((input) => input.removeAttribute("aria-invalid"));
      output.textContent = "";
      output.classList.remove("cv-row-message");
      if (row.skipped) {
        output.append("Output: — (fix the layer above first)");
        item.dataset.output = "";
      } else if (row.error) {
        output.classList.add("cv-row-message");
        output.append(`Layer ${index + 1}: ${row.error}`);
        if (row.shape) output.append(` — output ${describe(row.shape)}`);
        item.dataset.output = row.shape ? describe(row.shape) : "";
        const spec = LAYER_TYPES[item.dataset.type];
        for (const [name] of spec.params) {
          if (new RegExp(`^${name}\\b|\\b${name} `).test(row.error)) {
            item.querySelector(`#layer-${index + 1}-${name}`)?.setAttribute("aria-invalid", "true");
          }
        }
      } else {
        const size = row.shape.reduce((a, b) => a * b, 1);
        output.append("Output ", element("strong", { text: describe(row.shape) }));
        output.append(row.shape.length === 3 ? `: ${size} values (C × H × W)` : "");
        if (row.note) output.append(` — ${row.note}`);
        item.dataset.output = describe(row.shape);
      }
    });
    const errors = result.rows.filter((r) => r.error).length + (result.input.error ? 1 : 0);
    const parts = [];
    if (errors) parts.push(`${errors} problem(s): see the message(s) above.`);
    if (result.output) parts.push(`Network output: ${describe(result.output)}.`);
    if (result.flatten) {
      const [c, h, w] = result.flatten.from;
      parts.push(`Flatten size: ${result.flatten.size} = ${h} × ${w} × ${c} (H × W × C).`);
    } else if (result.output && result.output.length === 3) {
      parts.push(`Flattened it would be ${result.output.reduce((a, b) => a * b, 1)} values.`);
    }
    if (state.layers.length === 0) parts.push("No layers yet: add one.");
    summary.textContent = parts.join(" ");
    addButton.disabled = state.layers.length >= MAX_LAYERS;
    const query = encodeState(state);
    try {
      history.replaceState(history.state, "", query + location.hash);
    } catch {
      // a query too long for the browser: the link below still holds it
    }
    link.href = query;
  };

  addButton.addEventListener("click", () => {
    if (state.layers.length >= MAX_LAYERS) return;
    const type = addType.querySelector("select").value;
    state.layers.push({ type, values: LAYER_TYPES[type].params.map(([, , value]) => String(value)) });
    render(`layer-${state.layers.length}-type`);
  });
  reset.addEventListener("click", () => {
    state = clone(MNIST);
    linkMessage.textContent = "";
    linkMessage.classList.remove("cv-error");
    render();
  });

  const load = () => {
    const { state: loaded, error } = decodeState(location.search);
    if (error) {
      state = clone(MNIST);
      linkMessage.textContent = `This link's network could not be read: ${error}. Showing the MNIST example instead.`;
      linkMessage.classList.add("cv-error");
    } else {
      state = loaded ? loaded : clone(MNIST);
      linkMessage.textContent = "";
      linkMessage.classList.remove("cv-error");
    }
    try {
      render();
    } catch (failure) {
      // Should not happen (every value is validated); never leave a broken page.
      state = clone(MNIST);
      linkMessage.textContent = `This link's network could not be shown (${failure.message}). Showing the MNIST example instead.`;
      linkMessage.classList.add("cv-error");
      render();
    }
  };
  window.addEventListener("popstate", load);
  load();
  root.dataset.ready = "true";
}

if (typeof document !== "undefined") {
  const root = document.getElementById("calculator");
  if (root) mount(root);
}

export { LIMITS };
