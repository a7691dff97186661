/**
 * calculator.mjs: draws the network shape calculator of docs/interactive/calculator.md and wires
 * it to the reader.
 *
 * calculator-model.mjs computes the shapes, reads and writes the URL and words every message;
 * this module keeps the state the reader edits (the input shape and the list of layers), draws
 * it, and keeps the page's address in step with it so that a link reproduces the network.
 */
import { element } from "./dom.mjs";
import {
  cloneState,
  computeNetwork,
  decodeState,
  defaultLayer,
  encodeState,
  invalidInputs,
  LAYER_TYPES,
  layerReport,
  MAX_LAYERS,
  MNIST,
  networkSummary,
} from "./calculator-model.mjs";

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

function smallButton(text, label, id, disabled, action) {
  const button = element("button", { type: "button", class: "cv-small", id, "aria-label": label, text });
  button.disabled = disabled;
  button.addEventListener("click", action);
  return button;
}

/** The calculator on the page: the state the reader edits, and its drawing. */
class Calculator {
  constructor(root) {
    this.state = cloneState(MNIST);
    this.linkMessage = element("p", { id: "calculator-link-message", class: "cv-message", role: "status", "aria-live": "polite" });
    this.inputFields = element("fieldset", { class: "cv-input-shape" }, element("legend", { text: "Input shape" }));
    this.inputMessage = element("p", { id: "calculator-input-message", class: "cv-message", "aria-live": "polite" });
    this.list = element("ol", { class: "cv-layers", id: "calculator-layers", "aria-label": "Layers" });
    this.addType = typeSelect("calculator-add-type", "New layer", "conv2d");
    this.addButton = element("button", { type: "button", class: "cv-button", id: "calculator-add", text: "Add layer" });
    const reset = element("button", { type: "button", class: "cv-button", id: "calculator-reset", text: "Reset to the MNIST example" });
    this.summary = element("p", { class: "cv-summary", id: "calculator-summary", "aria-live": "polite" });
    this.link = element("a", { id: "calculator-link", href: "" }, "Link to this network");
    root.textContent = "";
    root.append(
      this.linkMessage,
      this.inputFields,
      this.inputMessage,
      this.list,
      element("div", { class: "cv-add" }, this.addType, this.addButton, reset),
      this.summary,
      element("p", {}, this.link, " (the page's address holds the whole network: bookmark or share it)"),
    );
    [["C", "channels C"], ["H", "height H"], ["W", "width W"]].forEach(([key, text], index) => {
      const field = textField(`calculator-input-${key}`, text, this.state.input[index]);
      field.querySelector("input").addEventListener("input", (event) => {
        this.state.input[index] = event.target.value;
        this.recompute();
      });
      this.inputFields.append(field);
    });
    this.addButton.addEventListener("click", () => this.add());
    reset.addEventListener("click", () => this.load(cloneState(MNIST), ""));
  }

  inputs() {
    return [...this.inputFields.querySelectorAll("input")];
  }

  /** Rebuild the list (after a structural change); refocus the element with focusId if given. */
  render(focusId) {
    this.inputs().forEach((input, index) => {
      input.value = this.state.input[index];
    });
    this.list.textContent = "";
    this.state.layers.forEach((layer, index) => this.list.append(this.layerItem(layer, index)));
    this.recompute();
    if (focusId) document.getElementById(focusId)?.focus();
  }

  /** One layer's card: its type, its buttons, its parameters and its output line. */
  layerItem(layer, index) {
    const spec = LAYER_TYPES[layer.type];
    const n = index + 1;
    const item = element("li", { class: "cv-layer", "data-index": String(index), "data-type": layer.type });
    const typeField = typeSelect(`layer-${n}-type`, `Layer ${n}`, layer.type);
    typeField.querySelector("select").addEventListener("change", (event) => {
      this.state.layers[index] = defaultLayer(event.target.value);
      this.render(`layer-${n}-type`);
    });
    const number = element("span", { class: "cv-layer-number", text: `${n}.` });
    item.append(element("div", { class: "cv-layer-head" }, number, typeField, this.layerActions(index)));
    if (spec.params.length) {
      const params = element("div", { class: "cv-params" });
      spec.params.forEach(([name], p) => {
        const field = textField(`layer-${n}-${name}`, name, layer.values[p]);
        field.querySelector("input").addEventListener("input", (event) => {
          layer.values[p] = event.target.value;
          this.recompute();
        });
        params.append(field);
      });
      item.append(params);
    }
    item.append(element("p", { class: "cv-layer-output", id: `layer-${n}-output`, "aria-live": "polite" }));
    return item;
  }

  /** Move up, move down and remove; focus stays on the moved layer's button (or the nearest one). */
  layerActions(index) {
    const layers = this.state.layers;
    const n = index + 1;
    const move = (delta) => () => {
      const [moved] = layers.splice(index, 1);
      layers.splice(index + delta, 0, moved);
      const target = index + delta + 1;
      // the button pressed is disabled at the first and last place: focus its other arrow there
      const still = delta < 0 ? (target === 1 ? "down" : "up") : target === layers.length ? "up" : "down";
      this.render(`layer-${target}-${still}`);
    };
    const remove = () => {
      layers.splice(index, 1);
      const next = Math.min(index, layers.length - 1);
      this.render(next >= 0 ? `layer-${next + 1}-remove` : "calculator-add");
    };
    return element(
      "div",
      { class: "cv-layer-actions" },
      smallButton("↑", `Move layer ${n} up`, `layer-${n}-up`, index === 0, move(-1)),
      smallButton("↓", `Move layer ${n} down`, `layer-${n}-down`, index === layers.length - 1, move(1)),
      smallButton("Remove", `Remove layer ${n}`, `layer-${n}-remove`, false, remove),
    );
  }

  /** Recompute every shape and message (after any edit), and write the state into the address. */
  recompute() {
    const result = computeNetwork(this.state);
    this.showInput(result);
    [...this.list.children].forEach((item, index) => {
      this.showLayer(item, layerReport(result.rows[index], index, this.state.layers[index].type));
    });
    this.summary.textContent = networkSummary(result, this.state.layers.length);
    this.addButton.disabled = this.state.layers.length >= MAX_LAYERS;
    const query = encodeState(this.state);
    try {
      history.replaceState(history.state, "", query + location.hash);
    } catch {
      // a query too long for the browser: the link below still holds it
    }
    this.link.href = query;
  }

  showInput(result) {
    const invalid = invalidInputs(result);
    for (const input of this.inputs()) {
      if (invalid.includes(input.id.slice(-1))) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
    this.inputMessage.textContent = result.input.error ? `Input: ${result.input.error}` : "";
    this.inputMessage.classList.toggle("cv-error", Boolean(result.input.error));
  }

  showLayer(item, report) {
    const output = item.querySelector(".cv-layer-output");
    item.classList.toggle("cv-has-error", report.isError);
    output.classList.toggle("cv-row-message", report.isError);
    output.textContent = report.text;
    if (report.shape) output.append(element("strong", { text: report.shape }), report.after);
    item.dataset.output = report.output;
    for (const input of item.querySelectorAll(".cv-params input")) {
      const name = input.id.slice(`layer-${Number(item.dataset.index) + 1}-`.length);
      if (report.invalid.includes(name)) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    }
  }

  add() {
    if (this.state.layers.length >= MAX_LAYERS) return;
    this.state.layers.push(defaultLayer(this.addType.querySelector("select").value));
    this.render(`layer-${this.state.layers.length}-type`);
  }

  /** Show state, with a message about the link above it ("" for none). */
  load(state, linkMessage) {
    this.state = state;
    this.linkMessage.textContent = linkMessage;
    this.linkMessage.classList.toggle("cv-error", linkMessage !== "");
    this.render();
  }

  /** Show the network of the page's address, or the MNIST example with a message if it cannot be read. */
  loadAddress() {
    const { state, error } = decodeState(location.search);
    if (error) {
      this.load(cloneState(MNIST), `This link's network could not be read: ${error}. Showing the MNIST example instead.`);
      return;
    }
    try {
      this.load(state ?? cloneState(MNIST), "");
    } catch (failure) {
      // Should not happen (every value is validated); never leave a broken page.
      this.load(cloneState(MNIST), `This link's network could not be shown (${failure.message}). Showing the MNIST example instead.`);
    }
  }
}

/** Wire the calculator into root (the page's <div id="calculator">). */
export function mount(root) {
  const calculator = new Calculator(root);
  window.addEventListener("popstate", () => calculator.loadAddress());
  calculator.loadAddress();
  root.dataset.ready = "true";
}

if (typeof document !== "undefined") {
  const root = document.getElementById("calculator");
  if (root) mount(root);
}
