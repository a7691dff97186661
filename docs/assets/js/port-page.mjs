/**
 * port-page.mjs: draws the tools of docs/interactive/port.md from port.mjs (the pure model).
 *
 * Three tools, all state in the query string so a link reproduces them:
 *   ?src=tf&cin=3&…&rule=SAME&oh=14&ow=10   port a layer (src and its fields, SOURCE_FIELDS keys)
 *   &si=7&so=14&sk=3&ss=2&sd=1                solve for padding
 *   &min=1,28,28&mnet=conv2d:32,3,2,1,1;…     mirror an encoder (calculator's link format)
 * Every error appears next to the field it names (aria-invalid plus a message), never as NaN.
 */
import { element } from "./dom.mjs";
import {
  FRAMEWORKS, RULES, SOURCE_FIELDS, decoderCode, defaultFields, mirrorDecoder, nearestReachable,
  parseEncoder, parseInteger, portLayer, solveConvTranspose,
} from "./port.mjs";

const SOLVER_FIELDS = [
  ["si", "input size i′", "7"], ["so", "wanted output size o′", "14"], ["sk", "kernel size k′", "3"],
  ["ss", "stride s′", "2"], ["sd", "dilation d′", "1"],
];
const SOLVER_KEYS = { si: "input", so: "output", sk: "kernel", ss: "stride", sd: "dilation" };
const MIRROR_FIELDS = [["min", "encoder input C, H, W", "1, 28, 28"], ["mnet", "encoder layers", "conv2d:16,3,2,1,1;conv2d:32,3,2,1,1;maxpool2d:2,2,0,1"]];
const MIRROR_KEYS = { min: "input", mnet: "encoder" };

/** The state a query string describes (unknown keys ignored, missing ones default). */
export function readState(search) {
  const query = new URLSearchParams(search);
  const src = Object.hasOwn(FRAMEWORKS, query.get("src")) ? query.get("src") : "tf";
  const pick = (defaults) => Object.fromEntries(Object.entries(defaults).map(([key, value]) => [key, query.get(key) ?? value]));
  return {
    src,
    fields: pick(defaultFields(src)),
    solve: pick(Object.fromEntries(SOLVER_FIELDS.map(([key, , value]) => [key, value]))),
    mirror: pick(Object.fromEntries(MIRROR_FIELDS.map(([key, , value]) => [key, value]))),
  };
}

/** The query string of a state. */
export function writeState(state) {
  return `?${new URLSearchParams({ src: state.src, ...state.fields, ...state.solve, ...state.mirror })}`;
}

// --- fields ---------------------------------------------------------------------------------------

/** fn, called once after the current burst of events (typing, a pasted link), not once per key. */
function coalesced(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      fn();
    });
  };
}

/** A labelled input (or select, for a rule) with its message slot; onInput(value) on every change. */
function field(id, label, value, onInput, choices) {
  const control = choices
    ? element("select", { id }, ...choices.map((c) => element("option", { value: c, text: c })))
    : element("input", { id, type: "text", autocomplete: "off", spellcheck: "false", "aria-describedby": `${id}-message` });
  control.value = value;
  if (choices) control.setAttribute("aria-describedby", `${id}-message`);
  control.addEventListener(choices ? "change" : "input", () => onInput(control.value));
  const message = element("span", { id: `${id}-message`, class: "port-field-message", "aria-live": "polite" });
  return element("div", { class: "cv-field port-field" }, element("label", { for: id, text: label }), control, message);
}

/** Show `error` (a FieldError) next to its field among `ids` ({fieldKey: elementId}); clear the rest. */
function showFieldError(root, ids, error, fallbackId) {
  for (const id of Object.values(ids)) {
    root.querySelector(`#${id}`)?.removeAttribute("aria-invalid");
    const slot = root.querySelector(`#${id}-message`);
    if (slot) slot.textContent = "";
  }
  if (!error) return;
  const id = ids[error.field] ?? fallbackId;
  root.querySelector(`#${id}`)?.setAttribute("aria-invalid", "true");
  root.querySelector(`#${id}-message`).textContent = error.message;
}

function codeBlock(id, text) {
  // Material decorates code blocks once, when the page loads, and these are redrawn on every edit:
  // each carries Material's copy button itself (its clipboard handler serves any such button) and
  // `no-copy` keeps Material from adding a second one.
  const copy = element("button", { class: "md-code__button", title: "Copy to clipboard",
                                   "data-clipboard-target": `#${id}`, "data-md-type": "copy" });
  return element("div", { class: "port-code no-copy" },
    element("pre", {}, element("nav", { class: "md-code__nav" }, copy), element("code", { id, text })));
}

// --- port a layer -----------------------------------------------------------------------------------

function targetCard(target, source) {
  const status = target.exact ? "Exact" : "Needs an extra step (below)";
  const card = element(
    "section",
    { class: "port-target", "data-framework": target.framework, "data-exact": String(target.exact), "aria-labelledby": `port-${target.framework}-title` },
    element("h3", { id: `port-${target.framework}-title`, text: `${target.label}: ${target.api}` }),
    element("p", { class: "port-status", text: `${target.framework === source ? "The source itself (a self-check)" : status}. Output ${target.outputSize.join(" × ")}.` }),
  );
  if (target.notes.length) card.append(element("ul", { class: "port-notes" }, ...target.notes.map((n) => element("li", { text: n }))));
  card.append(codeBlock(`port-code-${target.framework}`, target.code));
  card.append(element("p", { class: "port-weight" }, "Weight ", element("code", { text: target.weight })));
  const details = element("details", { class: "port-snippet" }, element("summary", { text: "A complete check: both layers on random data, compared" }));
  details.append(codeBlock(`port-snippet-${target.framework}`, target.snippet));
  card.append(details);
  return card;
}

/** The source form (rebuilt when the source changes) and the results (rebuilt on every edit). */
function portTool(state, save) {
  const form = element("div", { class: "port-fields" });
  const summary = element("p", { id: "port-summary", class: "cv-summary", "aria-live": "polite" });
  const results = element("div", { id: "port-results" });
  const select = field("port-src", "Source framework", state.src, (value) => {
    state.src = value;
    state.fields = { ...defaultFields(value), ...pickShared(state.fields, value) };
    drawForm();
  }, Object.keys(FRAMEWORKS));
  select.querySelector("select").querySelectorAll("option").forEach((o) => { o.textContent = `${FRAMEWORKS[o.value].label} (${FRAMEWORKS[o.value].api})`; });
  const ids = () => Object.fromEntries(SOURCE_FIELDS[state.src].map(([key]) => [key, `port-${key}`]));
  const update = () => {
    results.textContent = "";
    let result = null;
    try {
      result = portLayer(state.src, state.fields);
    } catch (error) {
      showFieldError(form, ids(), error, "port-k");
      summary.textContent = "Fix the field marked above to see the other frameworks.";
      save();
      return;
    }
    showFieldError(form, ids(), null);
    summary.textContent = `Output (N, C, H, W) = (${result.outputShape.join(", ")}). ` +
      `${result.targets.filter((t) => t.exact).length} of ${result.targets.length} frameworks express it exactly.`;
    results.append(...result.targets.map((t) => targetCard(t, state.src)));
    save();
  };
  const later = coalesced(update);
  const drawForm = () => {
    form.textContent = "";
    for (const [key, label] of SOURCE_FIELDS[state.src]) {
      const choices = key === "rule" ? RULES[state.src] : null;
      form.append(field(`port-${key}`, label, state.fields[key], (value) => { state.fields[key] = value; later(); }, choices));
    }
    update();
  };
  drawForm();
  return element("section", { class: "port-tool-part", "aria-label": "Port a layer" }, select, form, summary, results);
}

/** Keep the values a new source shares with the old one (channels, sizes, kernel…). */
function pickShared(fields, source) {
  const keys = new Set(SOURCE_FIELDS[source].map(([key]) => key));
  return Object.fromEntries(Object.entries(fields).filter(([key]) => keys.has(key) && !["rule", "op", "pad"].includes(key)));
}

// --- solve for padding --------------------------------------------------------------------------------

function solutionText({ padding, outputPadding }) {
  return `padding=${padding}, output_padding=${outputPadding}`;
}

function solverTool(state, save) {
  const form = element("div", { class: "port-fields" });
  const out = element("div", { id: "solve-result", "aria-live": "polite" });
  const ids = Object.fromEntries(Object.entries(SOLVER_KEYS).map(([key, name]) => [name, `solve-${key}`]));
  const update = () => {
    out.textContent = "";
    const args = Object.fromEntries(Object.entries(SOLVER_KEYS).map(([key, name]) => [name, parseInteger(state.solve[key])]));
    try {
      const found = solveConvTranspose(args);
      showFieldError(form, ids, null);
      if (found.length) {
        out.append(element("p", { text: `${found.length} setting(s) give output ${args.output}:` }));
        out.append(element("ul", { class: "port-solutions" }, ...found.map((x) => element("li", {}, element("code", { text: solutionText(x) })))));
      } else {
        const { below, above } = nearestReachable(args);
        const near = [below, above].filter(Boolean).map((n) => `${n.output} (${solutionText(n.solutions[0])})`);
        out.append(element("p", { class: "port-none", text: `No padding gives ${args.output}. Nearest reachable: ${near.join(" or ")}.` }));
      }
    } catch (error) {
      showFieldError(form, ids, error, "solve-si");
    }
    save();
  };
  for (const [key, label] of SOLVER_FIELDS) {
    form.append(field(`solve-${key}`, label, state.solve[key], (value) => { state.solve[key] = value; update(); }));
  }
  update();
  return element("section", { class: "port-tool-part", "aria-labelledby": "solve-title" },
    element("h2", { id: "solve-title", text: "Solve for padding" }), form, out);
}

// --- mirror an encoder ----------------------------------------------------------------------------------

function mirrorTool(state, save) {
  const form = element("div", { class: "port-fields port-wide" });
  const out = element("div", { id: "mirror-result", "aria-live": "polite" });
  const ids = Object.fromEntries(Object.entries(MIRROR_KEYS).map(([key, name]) => [name, `mirror-${key}`]));
  const update = () => {
    out.textContent = "";
    try {
      const decoder = mirrorDecoder({ input: state.mirror.min.split(","), layers: parseEncoder(state.mirror.mnet) });
      showFieldError(form, ids, null);
      out.append(codeBlock("mirror-code", decoderCode(decoder)));
    } catch (error) {
      showFieldError(form, ids, error, "mirror-mnet");
    }
    save();
  };
  for (const [key, label] of MIRROR_FIELDS) {
    form.append(field(`mirror-${key}`, label, state.mirror[key], (value) => { state.mirror[key] = value; update(); }));
  }
  update();
  return element("section", { class: "port-tool-part", "aria-labelledby": "mirror-title" },
    element("h2", { id: "mirror-title", text: "Mirror an encoder" }),
    element("p", { text: "Layers as in the network shape calculator's link (conv2d, maxpool2d, avgpool2d, conv_same, conv_valid, pool_same, pool_valid), separated by semicolons." }),
    form, out);
}

/** Wire the tools into root (the page's <div id="port-tool">). */
export function mount(root) {
  const state = readState(location.search);
  let ready = false;
  const save = () => {
    if (!ready) return;
    history.replaceState(history.state, "", writeState(state) + location.hash);
  };
  root.textContent = "";
  root.append(portTool(state, save), solverTool(state, save), mirrorTool(state, save));
  ready = true;
  save();
  root.dataset.ready = "true";
}

if (typeof document !== "undefined") {
  const root = document.getElementById("port-tool");
  if (root) mount(root);
}
