"""The explorer page (docs/interactive/explorer.md) in real Chromium: its numbers equal torch, the
PyTorch call it shows runs and prints its grid, it works from the keyboard alone, and every bad
setting (fuzzed) is answered with an inline message naming the argument, never a console error,
a NaN or a hang."""
import math

import pytest
import torch
import torch.nn.functional as F
from bs4 import BeautifulSoup
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from hooks.blocks import run_code
from tests.conftest import only_pages
from tests.chromium import Visit

PATH = "interactive/explorer/"
pytestmark = pytest.mark.skipif(not only_pages([PATH]), reason="ONLY_PAGES leaves out the explorer")
FIELDS = ["ih", "iw", "kh", "kw", "sh", "sw", "ph", "pw", "dh", "dw", "oph", "opw", "seed"]
NAMES = {"ih": "input height", "iw": "input width", "kh": "kernel height", "kw": "kernel width",
         "sh": "stride (height)", "sw": "stride (width)", "ph": "padding (height)", "pw": "padding (width)",
         "dh": "dilation (height)", "dw": "dilation (width)", "oph": "output_padding (height)",
         "opw": "output_padding (width)", "seed": "seed"}
BASE = dict(mode="conv", values="integers", ih=5, iw=5, kh=3, kw=3, sh=2, sw=2, ph=1, pw=1, dh=1, dw=1,
            oph=0, opw=0, seed=1)
TIME_LIMIT = 3.0  # seconds per interaction; the caps in convarith.mjs keep each well under that

# (mode, values, settings): conv and transposed, square and not, dilated, output_padding, random.
SETTINGS = [
    ("conv", "integers", {}),
    ("conv", "integers", dict(ih=7, iw=6, kh=3, kw=2, sh=1, sw=2, ph=0, pw=1)),
    ("conv", "random", dict(ih=9, iw=8, kh=3, kw=3, sh=2, sw=3, ph=2, pw=1, dh=2, dw=1, seed=7)),
    ("conv", "random", dict(ih=12, iw=10, kh=4, kw=5, sh=3, sw=1, ph=0, pw=2, dh=1, dw=2, seed=3)),
    ("transposed", "integers", {}),
    ("transposed", "integers", dict(ih=3, iw=4, kh=3, kw=3, sh=2, sw=2, ph=0, pw=1, oph=1, opw=0)),
    ("transposed", "random", dict(ih=4, iw=3, kh=2, kw=3, sh=3, sw=2, ph=1, pw=0, dh=2, dw=1, oph=2, opw=1, seed=11)),
    ("transposed", "random", dict(ih=5, iw=5, kh=4, kw=2, sh=2, sw=4, ph=4, pw=0, dh=1, dw=1, oph=0, opw=3, seed=0)),
    ("transposed", "integers", dict(ih=2, iw=2, kh=2, kw=2, sh=5, sw=4, ph=0, pw=0)),  # cells no product reaches
]


def open_explorer(browser, base_url):
    visit = Visit(browser, base_url + PATH)
    visit.page.wait_for_selector("#explorer[data-ready=true]")
    return visit


@pytest.fixture
def explorer(browser, base_url):
    visit = open_explorer(browser, base_url)
    yield visit
    visit.close()


def apply(page, mode="conv", values="integers", **fields):
    """Set the form (only the fields whose text differs, to keep the run short)."""
    page.check(f"#explorer-mode-{mode}")
    page.check(f"#explorer-values-{values}")
    current = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#explorer input[type=text]')]
        .map(e => [e.name, e.disabled ? null : e.value]))""")
    for key, value in fields.items():
        if current[key] is not None and current[key] != str(value):
            page.fill(f"#explorer-{key}", str(value))


def read_table(page, selector):
    """(column labels, row labels, cell texts) of a drawn grid, without screen-reader-only text."""
    return page.evaluate("""sel => {
        const table = document.querySelector(sel);
        const own = td => td.childNodes[0] ? td.childNodes[0].textContent : '';
        return [[...table.querySelectorAll('thead th')].map(th => th.textContent),
                [...table.querySelectorAll('tbody th')].map(th => th.textContent),
                [...table.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(own))];
    }""", selector)


def shown_values(page):
    """x, w and y exactly as the page shows them (x from the padded input, or from the input table
    of a transposed convolution, whose stretched input may crop pixels)."""
    if page.locator("#explorer-input").count():
        x = [[float(t) for t in row] for row in read_table(page, "#explorer-input")[2]]
        cols, rows, cells = read_table(page, "#explorer-grid")
        for r, row in zip(rows, cells):  # the stretched input shows the same values
            for c, text in zip(cols, row):
                if r.isdigit() and c.isdigit():
                    assert float(text) == x[int(r)][int(c)]
        x = torch.tensor(x, dtype=torch.float64)
        w = torch.tensor([[float(t) for t in row] for row in read_table(page, "#explorer-kernel")[2]],
                         dtype=torch.float64)
        return x, w, read_table(page, "#explorer-output")[2]
    cols, rows, cells = read_table(page, "#explorer-grid")
    pixels = {(int(r), int(c)): float(text) for r, row in zip(rows, cells) for c, text in zip(cols, row)
              if r.isdigit() and c.isdigit()}
    height, width = max(r for r, _ in pixels) + 1, max(c for _, c in pixels) + 1
    assert len(pixels) == height * width, "every input pixel appears once in the drawn grid"
    x = torch.tensor([[pixels[r, c] for c in range(width)] for r in range(height)], dtype=torch.float64)
    w = torch.tensor([[float(t) for t in row] for row in read_table(page, "#explorer-kernel")[2]], dtype=torch.float64)
    y_text = read_table(page, "#explorer-output")[2]
    return x, w, y_text


def torch_output(mode, s):
    return lambda x, w: (
        F.conv2d(x[None, None], w[None, None], stride=(s["sh"], s["sw"]), padding=(s["ph"], s["pw"]),
                 dilation=(s["dh"], s["dw"]))
        if mode == "conv" else
        F.conv_transpose2d(x[None, None], w[None, None], stride=(s["sh"], s["sw"]), padding=(s["ph"], s["pw"]),
                           output_padding=(s["oph"], s["opw"]), dilation=(s["dh"], s["dw"])))[0, 0]


def formatted(y, decimals):
    return [[f"{round(v, 2) + 0:.{decimals}f}" for v in row] for row in y.tolist()]


def check_sum_line(page, value_text):
    """The numeric line `= a·b + c·d + ... = v`: its products add up to v, the selected cell's value."""
    line = page.text_content("#explorer-sum-numeric")
    assert line.endswith(f"= {value_text}"), line
    if "·" not in line:  # no product reaches the cell (or every tap is on padding)
        assert float(value_text) == 0
        return 0
    products = line[2:line.rindex("=")].split(" + ")
    total = 0.0
    for product in products:
        a, b = (float(t.strip("()")) for t in product.strip().split("·"))
        total += a * b
    assert math.isclose(total, float(value_text), abs_tol=0.006), (line, total)
    return len(products)


@pytest.mark.parametrize("mode, values, changes", SETTINGS, ids=lambda p: str(p) if not isinstance(p, dict) else
                         ",".join(f"{k}={v}" for k, v in p.items()) or "defaults")
def test_explorer_numbers_equal_torch(explorer, mode, values, changes, record_property):
    page = explorer.page
    s = {**BASE, **changes, "mode": mode, "values": values}
    apply(page, **s)
    x, w, y_text = shown_values(page)
    decimals = 2 if values == "random" else 0
    expected = torch_output(mode, s)(x, w)
    assert formatted(expected, decimals) == y_text
    oh, ow = expected.shape
    assert f"Output shape: {oh} × {ow}" in page.text_content("#explorer-shape")
    # Every output cell: select it (click), and its listed products add up to its value.
    products = 0
    for r in range(oh):
        for c in range(ow):
            page.click(f"#explorer-output td[data-row='{r}'][data-col='{c}']")
            assert page.get_attribute(f"#explorer-output td[data-row='{r}'][data-col='{c}']", "aria-selected") == "true"
            assert f"y[{r}][{c}] = {y_text[r][c]}" in page.text_content("#explorer-live")
            products += check_sum_line(page, y_text[r][c])
    assert explorer.errors == []
    record_property("summary", f"explorer: {mode} {values} {oh}x{ow} output equals torch, "
                               f"{oh * ow} cell sums ({products} products) checked")


def test_output_padding_only_chooses_the_size(explorer, record_property):
    """output_padding a = 1 in height (transposed): with p′ = 0 the last output row lies beyond every
    stamp and is all zeros, with p′ = 1 it is a row of the full result that padding would crop (not
    all zeros); either way the rows above are the a = 0 output. Checked against torch, and the
    description above the grids says which case it is."""
    page = explorer.page
    for ph, zero_row in [(0, True), (1, False)]:
        s = {**BASE, "mode": "transposed", "ph": ph, "oph": 0}
        apply(page, **s)
        _, _, without = shown_values(page)
        apply(page, **{**s, "oph": 1})
        x, w, y_text = shown_values(page)
        expected = torch_output("transposed", {**s, "oph": 1})(x, w)
        assert formatted(expected, 0) == y_text
        assert y_text[:-1] == without, "output_padding changed rows other than the added one"
        assert all(float(t) == 0 for t in y_text[-1]) is zero_row, (ph, y_text[-1])
        assert bool((expected[-1] == 0).all()) is zero_row
        description = page.text_content("#explorer .cv-description")
        if zero_row:
            assert "a = 1 > p′ = 0 in height: the last 1 output row(s) at the bottom lie beyond every stamp" \
                in description
        else:
            assert "a = 1 ≤ p′ = 1 in height" in description and "computed like any other" in description
    assert explorer.errors == []
    record_property("summary", "explorer: output_padding 1 gives a zero last row with padding 0 and a row of "
                               "sums with padding 1, other rows unchanged (torch)")


NARROW = 390  # a phone's CSS width


# Every grid region is marked (its hint shown) exactly when it overflows.
MARKED = ("[...document.querySelectorAll('#explorer .cv-scroll')].every(r => (r.scrollWidth > r.clientWidth + 1)"
          " === !r.parentElement.querySelector('.cv-scroll-hint').hidden)")


def settle(page, condition, timeout=5000):
    """Wait until the condition holds (layout and ResizeObserver callbacks run when the machine
    lets them); the asserts that follow say what is wrong if it never does."""
    try:
        page.wait_for_function(condition, timeout=timeout)
    except PlaywrightTimeoutError:
        pass


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_fits_a_narrow_screen_and_wide_grids_scroll_inside(browser, base_url, scheme):
    """At 390 px the page never scrolls sideways; a grid wider than its column scrolls inside a
    focusable, labelled region with a visible hint, and axe-core finds nothing serious."""
    visit = Visit(browser, base_url + PATH, color_scheme=scheme)
    try:
        page = visit.page
        page.wait_for_selector("#explorer[data-ready=true]")
        page.set_viewport_size({"width": NARROW, "height": 844})
        width = "document.documentElement.scrollWidth"
        hints = "[...document.querySelectorAll('#explorer .cv-scroll-hint')].filter(e => !e.hidden).length"
        for s in [BASE, {**BASE, "mode": "transposed"}, {**BASE, "mode": "transposed", "iw": 8, "sw": 3},
                  {**BASE, "ih": 20, "iw": 30, "pw": 1, "ph": 1}]:
            apply(page, **s)
            settle(page, f"{width} <= {NARROW} && {MARKED}")  # a ResizeObserver marks overflowing grids
            assert page.evaluate(width) <= NARROW, (s, page.evaluate(width))
            regions = page.evaluate("""() => [...document.querySelectorAll('#explorer .cv-scroll')].map(r => [
                r.getAttribute('role'), r.getAttribute('tabindex'), r.getAttribute('aria-label'),
                r.scrollWidth > r.clientWidth + 1, !r.parentElement.querySelector('.cv-scroll-hint').hidden])""")
            for role, tabindex, label, overflows, hinted in regions:
                assert role == "region" and tabindex == "0" and label
                assert overflows == hinted, (s, label)
            wide = s.get("iw") in (8, 30)
            assert (page.evaluate(hints) > 0) is wide, s
        assert visit.axe_findings() == []
        page.locator("#explorer .cv-overflows .cv-scroll").first.focus()  # right after typing in the form
        page.keyboard.press("ArrowRight")
        # the keyboard scrolls the grid (Chromium animates it: wait for the first step)
        page.wait_for_function("() => document.activeElement.matches('.cv-overflows .cv-scroll')"
                               " && document.activeElement.scrollLeft > 0", timeout=3000)
        page.set_viewport_size({"width": 1280, "height": 900})
        settle(page, f"{width} <= 1280 && {MARKED}")
        assert page.evaluate(width) <= 1280
        assert visit.errors == []
    finally:
        visit.close()


def code_text(page):
    return page.text_content("#explorer-code pre > code")


@pytest.mark.parametrize("index", [0, 3, 6, 7])
def test_pytorch_snippet_runs_and_prints_the_grid(explorer, index, tmp_path, record_property):
    page = explorer.page
    mode, values, changes = SETTINGS[index]
    apply(page, **{**BASE, **changes, "mode": mode, "values": values})
    code = code_text(page)
    assert "F.conv2d(" in code if mode == "conv" else "F.conv_transpose2d(" in code
    compile(code, "<explorer snippet>", "exec")
    run = run_code(code, "explorer snippet", timeout=120)
    assert run.error is None, run.error[-2000:]
    assert run.output_mismatch() is None
    printed = run.stdout.splitlines()
    y_text = read_table(page, "#explorer-output")[2]
    assert printed[0] == f"(1, 1, {len(y_text)}, {len(y_text[0])})"
    assert [line.split() for line in printed[1:]] == y_text
    record_property("summary", f"explorer: PyTorch snippet for setting {index} ran and printed the page's "
                               f"{len(y_text)}x{len(y_text[0])} grid")


def test_default_snippet_is_the_static_block(explorer, built_site):
    """The page's static code block (run by test_code_blocks) is what the explorer writes for its defaults."""
    html = (built_site / PATH / "index.html").read_text(encoding="utf-8")
    static = BeautifulSoup(html, "html.parser").select_one("#explorer-code pre > code").get_text()
    assert code_text(explorer.page).strip() == static.strip()


def tab_to(page, condition, limit=80, key="Tab"):
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(f"(() => {{ const e = document.activeElement; return {condition}; }})()"):
            return
    raise AssertionError(f"{condition} never focused with {key}")


def test_keyboard_only(explorer):
    page = explorer.page
    page.focus("#explorer-mode-conv")  # the starting point; everything after is keys only
    page.keyboard.press("ArrowDown")
    assert page.is_checked("#explorer-mode-transposed")
    assert page.is_enabled("#explorer-oph")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "explorer-ih"
    page.keyboard.press("Control+A")
    page.keyboard.type("4")
    assert "Output shape: 7 × 9" in page.text_content("#explorer-shape")  # (4-1)*2-2+2+1 by (5-1)*2-2+2+1
    tab_to(page, "e.id === 'explorer-next'")
    page.keyboard.press("Enter")
    assert "step 2 of 63" in page.text_content("#explorer-position")
    page.keyboard.press("Space")
    assert "step 3 of 63" in page.text_content("#explorer-position")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "explorer-step"
    page.keyboard.press("ArrowRight")
    assert "step 4 of 63" in page.text_content("#explorer-position")
    assert "y[0][3]" in page.text_content("#explorer-live")
    page.keyboard.press("End")
    assert "step 63 of 63" in page.text_content("#explorer-position")
    # The output grid: one tab stop (the selected cell), arrow keys move the selection.
    tab_to(page, "e.getAttribute('role') === 'gridcell'", key="Shift+Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-selected')") == "true"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("Home")
    assert page.evaluate("[document.activeElement.dataset.row, document.activeElement.dataset.col]") == ["5", "0"]
    assert "y[5][0]" in page.text_content("#explorer-live")
    assert "y[5][0] =" in page.text_content("#explorer-sum-symbolic")
    # Back to the form by keyboard: a bad value shows the message, a good one brings the grid back.
    tab_to(page, "e.id === 'explorer-sh'", key="Shift+Tab", limit=120)
    page.keyboard.press("Control+A")
    page.keyboard.type("0")
    assert "stride (height) must be an integer >= 1" in page.text_content("#explorer-message")
    assert page.get_attribute("#explorer-sh", "aria-invalid") == "true"
    page.keyboard.press("Backspace")
    page.keyboard.type("3")
    assert page.text_content("#explorer-message") == ""
    assert page.locator("#explorer-output").count() == 1
    assert explorer.errors == []


# --- fuzzing: every bad setting gets an inline message ------------------------------------------

SIZE_BAD = ["-1", "0", "1e9", "abc", "", "2.5", " ", "NaN", "Infinity", "3x", "99999", "-0.5"]
PADDING_BAD = ["-1", "1e9", "abc", "", "0.5", "+", "1,5"]
OUTPUT_PADDING_BAD = ["-1", "abc", "", "2", "5", "1.5"]  # stride 2, dilation 1: 2 and 5 are too large
SEED_BAD = ["-1", "abc", "", "1.5", "1e9"]


def fuzz_cases():
    """(label, base mode and values, changes, a fragment the message must contain)."""
    for key in ["ih", "iw", "kh", "kw", "sh", "sw", "dh", "dw"]:
        for bad in SIZE_BAD:
            yield f"{key}={bad!r}", ("conv", "integers"), {key: bad}, NAMES[key]
    for key in ["ph", "pw"]:
        for bad in PADDING_BAD:
            yield f"{key}={bad!r}", ("conv", "integers"), {key: bad}, NAMES[key]
    for key in ["oph", "opw"]:
        for bad in OUTPUT_PADDING_BAD:
            expected = "outputPadding must be smaller than max(stride, dilation)" if bad in {"2", "5"} else NAMES[key]
            yield f"{key}={bad!r}", ("transposed", "integers"), {key: bad}, expected
    for bad in SEED_BAD:
        yield f"seed={bad!r}", ("conv", "random"), {"seed": bad}, "seed"
    # Settings that are each fine alone but not together.
    yield "kernel > padded input (h)", ("conv", "integers"), {"kh": "8"}, "kernel spans"
    yield "kernel > padded input (w)", ("conv", "integers"), {"kw": "6", "pw": "0"}, "in width"
    yield "dilated kernel too wide", ("conv", "integers"), {"dh": "4"}, "kernel spans d*(k-1)+1 = 9"
    yield "huge kernel", ("conv", "integers"), {"kh": "10000", "kw": "10000"}, "kernel spans"
    yield "padding crops everything", ("transposed", "integers"), {"ph": "9"}, "padding crops"
    yield "output_padding vs dilation", ("transposed", "integers"), {"dh": "3", "oph": "3"}, "max(stride, dilation) = 3"
    yield "input too large to draw", ("conv", "integers"), {"ih": "33"}, "too large to draw"
    yield "padded input too large to draw", ("conv", "integers"), {"ih": "30", "ph": "2"}, "too large to draw"
    yield "stretched input too large to draw", ("transposed", "integers"), {"iw": "12", "sw": "3"}, "too large to draw"
    yield "huge input", ("conv", "integers"), {"ih": "10000", "iw": "10000"}, "LIMITS.maxElements"
    yield "huge padding", ("conv", "integers"), {"ph": "10000"}, "LIMITS.maxSize"
    yield "huge transposed stride", ("transposed", "integers"), {"sh": "10000", "sw": "10000"}, "LIMITS"
    yield "kernel too large to draw", ("conv", "integers"), {"ih": "20", "kh": "33", "ph": "10"}, "too large to draw"


# Runs in the page, one call for all the cases (a Playwright round trip per check made this test
# slow): for each case, set the form to the base settings as apply() does, then type the bad
# values (an "input" event per field, what typing fires) and read what the checks need.
# Uncaught errors are recorded per case; console errors still reach the Visit as well.
TYPE_BAD_SETTINGS = """cases => {
    const errors = [];
    window.addEventListener('error', event => errors.push(String(event.message)));
    const type = (key, value) => {
        const field = document.getElementById('explorer-' + key);
        field.value = value;
        field.dispatchEvent(new Event('input', {bubbles: true}));
    };
    const text = selector => document.querySelector(selector).textContent;
    const message = document.getElementById('explorer-message');
    const visible = element => {  // Playwright's is_visible
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
    };
    return cases.map(([base, changes]) => {
        for (const name of ['mode', 'values']) {
            const radio = document.getElementById(`explorer-${name}-${base[name]}`);
            if (!radio.checked) radio.click();
        }
        for (const field of document.querySelectorAll('#explorer input[type=text]')) {
            if (!field.disabled && field.value !== base[field.name]) type(field.name, base[field.name]);
        }
        const before = errors.length;
        const baseMessage = message.textContent;
        const start = performance.now();
        for (const [key, value] of Object.entries(changes)) type(key, value);
        return {baseMessage, message: message.textContent, seconds: (performance.now() - start) / 1000,
                visible: visible(message), tables: document.querySelectorAll('#explorer .cv-results table').length,
                code: text('#explorer-code pre > code'),
                invalid: [...document.querySelectorAll('#explorer [aria-invalid=true]')].map(e => e.name),
                body: document.body.innerText, errors: errors.slice(before)};
    });
}"""


def test_fuzzed_bad_inputs_show_an_inline_message(explorer, record_property):
    page = explorer.page
    count = 0
    slowest = 0.0
    cases = list(fuzz_cases())
    base = {key: str(value) for key, value in BASE.items()}
    shown = page.evaluate(TYPE_BAD_SETTINGS, [[{**base, "mode": mode, "values": values}, changes]
                                              for _, (mode, values), changes, _ in cases])
    for (label, _, changes, fragment), result in zip(cases, shown):
        assert result["baseMessage"] == "", label
        message = result["message"]
        slowest = max(slowest, result["seconds"])
        assert result["seconds"] < TIME_LIMIT, f"{label}: {result['seconds']:.1f} s"
        assert fragment in message, f"{label}: message {message!r} does not contain {fragment!r}"
        assert result["visible"], label
        assert result["tables"] == 0, f"{label}: results not cleared"
        assert result["code"].startswith("# No valid settings"), label
        assert result["invalid"], f"{label}: no field marked invalid"
        body = result["body"]
        for value in changes.values():  # the typed values, quoted back in the message
            body = body.replace(f'"{value}"', "")
        assert "NaN" not in body, f"{label}: NaN on the page"
        assert result["errors"] == [], f"{label}: errors {result['errors']}"
        count += 1
    assert explorer.errors == [], f"console errors {explorer.errors}"
    # And it recovers: valid settings bring the grid back.
    apply(page, **BASE)
    assert page.text_content("#explorer-message") == ""
    assert page.locator("#explorer-output").count() == 1
    assert count >= 100
    record_property("summary", f"explorer: {count} fuzzed bad inputs, each answered with an inline message "
                               f"naming the argument (slowest {slowest:.2f} s, no console error, no NaN)")
