/**
 * animations.mjs: steps the kernel over the figures that generators/figures.py's animation() draws
 * (<figure class="cf-anim" data-anim="op=conv,i=5,k=3,...">).
 *
 * The frames come from convarith.mjs, the tested JavaScript reference: frame f is output cell
 * (row, col) = (f div o, f mod o), and convContributions / convTransposeContributions list the
 * input pixels whose products make up that cell; those pixels are highlighted under the kernel.
 * The kernel's footprint itself is geometry: a convolution reads padded cells (r*s + a*d, c*s + b*d);
 * the transposed convolution, drawn as its equivalent stride-1 direct convolution over the
 * stretched and padded input, reads cells (r + a*d, c + b*d). Every listed contribution is checked
 * to lie under the footprint, so the picture and the arithmetic cannot drift apart silently.
 *
 * Play, Pause and Step are buttons (Enter/Space); ArrowRight and ArrowLeft step forward and back
 * while a control has focus. Animations play while on screen, except with prefers-reduced-motion,
 * where nothing moves until the reader presses Play or Step.
 */
import { convContributions, convTransposeContributions } from "./convarith.mjs";

const FRAME_MS = 900;
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

function parseParams(text) {
  const params = {};
  for (const pair of text.split(",")) {
    const [key, value] = pair.split("=");
    params[key] = key === "op" ? value : Number(value);
  }
  return params;
}

const ones = (n) => Array.from({ length: n }, () => new Array(n).fill(1));

/** One entry per output cell: the padded/stretched grid cells the kernel covers and the real
 * input pixels among them (indices into the input grid's row-major cells). */
function computeFrames({ op, i, k, s, p, d, a, o, q }) {
  const transposed = op === "transposed";
  const cells = transposed
    ? convTransposeContributions(ones(i), ones(k), { stride: s, padding: p, dilation: d, outputPadding: a })
    : convContributions(ones(i), ones(k), { stride: s, padding: p, dilation: d });
  if (cells.length !== o) throw new Error(`convarith gives ${cells.length} output rows, the figure draws ${o}`);
  const width = transposed ? (i - 1) * s + 1 + 2 * q + a : i + 2 * p; // cells per row of the drawn input
  const step = transposed ? 1 : s; // the drawn kernel moves this many cells per output pixel
  const frames = [];
  for (let r = 0; r < o; r++) {
    for (let c = 0; c < o; c++) {
      const footprint = new Set();
      for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) footprint.add((r * step + u * d) * width + c * step + v * d);
      const hits = cells[r][c].map((t) =>
        transposed ? (q + t.inputRow * s) * width + q + t.inputCol * s : (p + t.inputRow) * width + p + t.inputCol,
      );
      for (const h of hits) {
        if (!footprint.has(h)) throw new Error(`output (${r}, ${c}): input cell ${h} is not under the kernel`);
      }
      frames.push({ r, c, row: r * step, col: c * step, hits, products: hits.length });
    }
  }
  return { frames, width };
}

class Animation {
  constructor(figure) {
    this.figure = figure;
    this.params = parseParams(figure.dataset.anim);
    const { frames, width } = computeFrames(this.params);
    this.frames = frames;
    this.width = width;
    this.inputs = [...figure.querySelectorAll(".cf-grid-in rect")];
    this.outputs = [...figure.querySelectorAll(".cf-grid-out rect")];
    if (this.inputs.length !== width * width || this.outputs.length !== this.params.o ** 2) {
      throw new Error(`${figure.id}: the drawn grids do not match the parameters`);
    }
    this.kernel = figure.querySelector("g.cf-kernel");
    this.current = figure.querySelector(".cf-cursor");
    this.status = figure.querySelector(".cf-status");
    this.controls = figure.querySelector(".cf-controls");
    this.buttons = {};
    for (const button of this.controls.querySelectorAll("button")) this.buttons[button.dataset.action] = button;
    this.timer = null;
    this.visible = false;
    this.wanted = !reducedMotion.matches; // play when on screen
    this.frame = -1;
    this.show(0, false);
    this.buttons.play.addEventListener("click", () => this.play(true));
    this.buttons.pause.addEventListener("click", () => this.pause(true));
    this.buttons.step.addEventListener("click", () => this.step(1));
    this.controls.addEventListener("keydown", (event) => {
      if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        event.preventDefault();
        this.step(event.key === "ArrowRight" ? 1 : -1);
      }
    });
    this.controls.hidden = false;
    this.updateButtons();
  }

  xy(rect) {
    return [Number(rect.getAttribute("x")), Number(rect.getAttribute("y"))];
  }

  show(index, announce) {
    const n = this.frames.length;
    index = ((index % n) + n) % n;
    const previous = this.frames[this.frame];
    if (previous) for (const h of previous.hits) this.inputs[h].classList.remove("cf-hit");
    const frame = this.frames[index];
    for (const h of frame.hits) this.inputs[h].classList.add("cf-hit");
    const [x0, y0] = this.xy(this.inputs[0]);
    const [x, y] = this.xy(this.inputs[frame.row * this.width + frame.col]);
    const transform = this.kernel.getAttribute("transform").match(/translate\(([-\d.]+) ([-\d.]+)\)/);
    if (this.origin === undefined) this.origin = [Number(transform[1]) - x0, Number(transform[2]) - y0];
    this.kernel.setAttribute("transform", `translate(${x + this.origin[0]} ${y + this.origin[1]})`);
    const [ox, oy] = this.xy(this.outputs[frame.r * this.params.o + frame.c]);
    this.current.setAttribute("x", ox);
    this.current.setAttribute("y", oy);
    this.frame = index;
    this.figure.dataset.frame = String(index);
    const products = `${frame.products} product${frame.products === 1 ? "" : "s"}`;
    this.status.textContent = `output cell ${index + 1} of ${n}: row ${frame.r + 1}, column ${frame.c + 1}, sum of ${products}`;
    // Announce manual steps to screen readers, not every frame of a running animation.
    this.status.setAttribute("aria-live", announce ? "polite" : "off");
  }

  step(delta) {
    this.pause(true);
    this.show(this.frame + delta, true);
  }

  play(byReader) {
    if (byReader) this.wanted = true;
    if (this.timer === null && (byReader || this.visible)) {
      this.timer = window.setInterval(() => this.show(this.frame + 1, false), FRAME_MS);
    }
    this.updateButtons();
  }

  pause(byReader) {
    if (byReader) this.wanted = false;
    if (this.timer !== null) window.clearInterval(this.timer);
    this.timer = null;
    this.updateButtons();
  }

  setVisible(visible) {
    this.visible = visible;
    if (visible && this.wanted) this.play(false);
    else if (!visible) this.pause(false);
  }

  updateButtons() {
    const playing = this.timer !== null;
    this.buttons.play.setAttribute("aria-pressed", String(playing));
    this.buttons.pause.setAttribute("aria-pressed", String(!playing));
    this.figure.dataset.playing = String(playing);
  }
}

const animations = new Map();
for (const figure of document.querySelectorAll("figure.cf-anim")) {
  try {
    animations.set(figure, new Animation(figure));
  } catch (error) {
    console.error(`${figure.id}: ${error.message}`);
  }
}
const observer = new IntersectionObserver((entries) => {
  for (const entry of entries) animations.get(entry.target)?.setVisible(entry.isIntersecting);
});
for (const figure of animations.keys()) observer.observe(figure);
reducedMotion.addEventListener("change", () => {
  if (reducedMotion.matches) for (const animation of animations.values()) animation.pause(true);
});
