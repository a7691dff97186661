/**
 * explorer.mjs: draws the explorer of docs/interactive/explorer.md and wires it to the reader.
 *
 * explorer-model.mjs validates the settings and computes everything shown; this module builds the
 * form, reads it, draws the model's tables, marks the selected output cell and writes the PyTorch
 * call into the page's code block. Bad settings never throw out of an event handler: the Error
 * message (which names the argument) is shown next to the form and the results are cleared.
 */
import { element } from "./dom.mjs";
import {
  cellAfterKey,
  cellAtStep,
  clampCell,
  describeSelection,
  explore,
  FIELDS,
  gridDescription,
  pythonTokens,
  pytorchCode,
  shapeFormulas,
  tables,
  unusedFields,
  windowCells,
} from "./explorer-model.mjs";

// --- the form -----------------------------------------------------------------------------------

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


/** The settings as the form holds them (strings), the input of explore(). */
function readForm(form) {
  const raw = {};
  for (const f of FIELDS) raw[f.key] = form.elements[f.key].value;
  raw.mode = form.querySelector('input[name="mode"]:checked').value;
  raw.values = form.querySelector('input[name="values"]:checked').value;
  return raw;
}

// --- grids and their scrolling regions ----------------------------------------------------------

/**
 * A table of the model (see tables() in explorer-model.mjs) with row and column indices as
 * headers. Returns {table, cells}: cells[r][c] is the <td> of cell (r, c). An interactive table
 * is the output grid: its cells are grid cells the reader selects.
 */
function gridTable(spec, interactive = false) {
  const table = element("table", { class: "cv-grid" }, element("caption", { text: spec.caption }));
  if (interactive) table.setAttribute("role", "grid");
  if (spec.id) table.id = spec.id;
  if (spec.label) table.setAttribute("aria-label", spec.label);
  const head = element("tr", {}, element("td", { class: "cv-corner" }));
  for (let c = 0; c < spec.cols; c++) head.append(element("th", { scope: "col", text: spec.colLabel(c) }));
  const tbody = element("tbody");
  const cells = [];
  for (let r = 0; r < spec.rows; r++) {
    const tr = element("tr", {}, element("th", { scope: "row", text: spec.rowLabel(r) }));
    const rowCells = [];
    for (let c = 0; c < spec.cols; c++) {
      const { text, cls, label } = spec.cell(r, c);
      const td = element("td", { class: cls || "", text });
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
  table.append(element("thead", {}, head), tbody);
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

/** Pygments-style spans for the snippet, so it looks like the site's other code blocks. */
function highlightPython(code, into) {
  into.textContent = "";
  for (const [text, cls] of pythonTokens(code)) into.append(cls === null ? text : element("span", { class: cls, text }));
}

// --- the explorer -------------------------------------------------------------------------------

/** The step buttons and slider under the grids: {element, prev, next, slider, position}. */
function stepper(cellCount) {
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
  const label = element("label", { for: "explorer-step", text: "Output cell" });
  return { element: element("div", { class: "cv-stepper" }, prev, label, slider, next, position), prev, next, slider, position };
}

/** The explorer on the page: the form, the drawing of the current model and the selected cell. */
class Explorer {
  constructor(root, code) {
    this.root = root;
    this.code = code;
    this.form = buildForm();
    this.message = this.form.querySelector("#explorer-message");
    this.results = element("div", { class: "cv-results" });
    this.live = element("p", { class: "cv-live", id: "explorer-live", "aria-live": "polite" });
    this.model = null;
    this.selected = [0, 0];
    this.drawn = null; // the table cells and controls of the current drawing
    this.lastRaw = null;
    root.textContent = "";
    root.append(this.form, this.live, this.results);
  }

  update() {
    const raw = readForm(this.form);
    // A text field fires "change" again when it loses focus: redrawing then would destroy the
    // element the reader is moving to (a grid region, a button), so unchanged settings keep the drawing.
    const key = JSON.stringify(raw);
    if (key === this.lastRaw) return;
    this.lastRaw = key;
    this.syncForm(raw);
    try {
      this.model = explore(raw);
    } catch (error) {
      this.showError(error);
      return;
    }
    this.root.classList.remove("cv-invalid");
    this.message.textContent = "";
    this.message.classList.remove("cv-error");
    this.draw();
    this.select(...this.selected);
    this.showCode(pytorchCode(this.model));
  }

  /** Disable the fields the settings leave unused, prime the letters of a transposed convolution. */
  syncForm(raw) {
    const unused = unusedFields(raw);
    for (const f of FIELDS) {
      const field = this.form.elements[f.key];
      field.disabled = unused.includes(f.key);
      field.removeAttribute("aria-invalid");
    }
    for (const span of this.form.querySelectorAll(".cv-letter")) {
      span.textContent = span.dataset.letter + (raw.mode === "transposed" ? "′" : "");
    }
  }

  showError(error) {
    this.model = null;
    this.drawn = null;
    const text = error instanceof Error ? error.message : String(error);
    this.message.textContent = text;
    this.message.classList.add("cv-error");
    for (const key of error.fields || []) {
      const field = this.form.elements[key];
      if (!field.disabled) field.setAttribute("aria-invalid", "true");
    }
    this.results.textContent = "";
    this.results.append(element("p", { class: "cv-cleared", text: "No result: fix the setting named above." }));
    this.live.textContent = "";
    this.root.classList.add("cv-invalid");
    this.showCode(`# No valid settings: ${text}\n# Fix them above and the PyTorch call appears here.`);
  }

  showCode(text) {
    if (this.code && this.code.textContent !== text) highlightPython(text, this.code);
  }

  /** Draw the current model: grids, stepper, the sum of the selected cell and the output shape. */
  draw() {
    const m = this.model;
    const specs = tables(m);
    const [input, grid, kernel, flipped, output] = [specs.input, specs.grid, specs.kernel, specs.flipped, specs.output]
      .map((spec) => spec && { spec, ...gridTable(spec, spec === specs.output) });
    const region = (t) => scrollRegion(t.spec.region, t.table);
    const steps = stepper(m.outShape[0] * m.outShape[1]);
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
    const kernels = element("div", { class: "cv-kernels" }, region(kernel), ...(flipped ? [region(flipped)] : []));
    overflowObserver?.disconnect(); // the regions drawn before are about to go
    this.results.textContent = "";
    this.results.append(
      element("p", { class: "cv-description", text: gridDescription(m) }),
      element("div", { class: "cv-grids" }, ...(input ? [region(input)] : []), region(grid), kernels, region(output)),
      steps.element,
      element("div", { class: "cv-sum", id: "explorer-sum" }, sum.heading, sum.symbolic, sum.numeric),
      shape,
    );
    const { prev, next, slider, position } = steps;
    this.drawn = { grid, kernel, flipped, input, output, sum, prev, next, slider, position };
    this.listen();
  }

  /** Selection by the step buttons, the slider, a click on an output cell or the arrow keys. */
  listen() {
    const { prev, next, slider, output } = this.drawn;
    const step = (delta) => {
      const [r, c] = this.selected;
      this.select(...cellAtStep(this.model, r * this.model.outShape[1] + c + delta));
    };
    prev.addEventListener("click", () => step(-1));
    next.addEventListener("click", () => step(1));
    slider.addEventListener("input", () => this.select(...cellAtStep(this.model, Number(slider.value))));
    output.table.addEventListener("click", (event) => {
      const td = event.target.closest("td[role=gridcell]");
      if (td) this.select(Number(td.dataset.row), Number(td.dataset.col), true);
    });
    output.table.addEventListener("keydown", (event) => {
      const cell = cellAfterKey(this.model, this.selected, event.key);
      if (!cell) return;
      event.preventDefault();
      this.select(...cell, true);
    });
  }

  /** Select output cell (r, c) (moved inside the grid): mark it and say what it sums. */
  select(r, c, focus = false) {
    if (!this.model) return;
    [r, c] = clampCell(this.model, r, c);
    this.selected = [r, c];
    this.markSelection(r, c);
    const out = this.drawn.output.cells[r][c];
    if (focus) out.focus();
    const said = describeSelection(this.model, r, c);
    const { sum, slider, position, prev, next } = this.drawn;
    sum.symbolic.textContent = said.explanation.symbolic;
    sum.numeric.textContent = said.explanation.numeric;
    sum.heading.textContent = said.heading;
    slider.value = String(said.step);
    slider.setAttribute("aria-valuetext", said.valueText);
    position.textContent = said.position;
    prev.disabled = said.step === 0;
    next.disabled = said.step === said.steps - 1;
    this.live.textContent = said.live;
  }

  /** The classes of the selection: the kernel's window on the grid, and what the sum uses. */
  markSelection(r, c) {
    const { grid, kernel, flipped, input, output } = this.drawn;
    const cellsOf = (t) => (t ? t.cells.flat() : []);
    for (const td of cellsOf(grid)) td.classList.remove("cv-window", "cv-contributes");
    for (const td of [kernel, flipped, input].flatMap(cellsOf)) td.classList.remove("cv-contributes");
    for (const td of cellsOf(output)) {
      td.classList.remove("cv-selected");
      td.setAttribute("aria-selected", "false");
      td.tabIndex = -1;
    }
    for (const { gr, gc, contributes } of windowCells(this.model, r, c)) {
      const td = grid.cells[gr]?.[gc];
      td?.classList.add("cv-window");
      if (contributes) td?.classList.add("cv-contributes");
    }
    const [kh, kw] = this.model.wShape;
    for (const t of this.model.terms[r][c]) {
      input?.cells[t.inputRow][t.inputCol].classList.add("cv-contributes");
      kernel.cells[t.kernelRow][t.kernelCol].classList.add("cv-contributes");
      flipped?.cells[kh - 1 - t.kernelRow][kw - 1 - t.kernelCol].classList.add("cv-contributes");
    }
    const out = output.cells[r][c];
    out.classList.add("cv-selected");
    out.setAttribute("aria-selected", "true");
    out.tabIndex = 0;
  }
}

/** Wire the explorer into root (the page's <div id="explorer">); code is the PyTorch <code>. */
export function mount(root, code) {
  const explorer = new Explorer(root, code);
  const safeUpdate = () => {
    try {
      explorer.update();
    } catch (error) {
      // Should not happen: explore() turns every bad setting into a message. Never throw anyway.
      explorer.message.textContent = `Something went wrong: ${error && error.message}`;
      explorer.message.classList.add("cv-error");
      explorer.results.textContent = "";
    }
  };
  explorer.form.addEventListener("input", safeUpdate);
  explorer.form.addEventListener("change", safeUpdate);
  safeUpdate();
  root.dataset.ready = "true";
}

if (typeof document !== "undefined") {
  const root = document.getElementById("explorer");
  if (root) mount(root, document.querySelector("#explorer-code pre > code"));
}
