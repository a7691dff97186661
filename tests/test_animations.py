"""The animations page in real Chromium: all fifteen of Dumoulin & Visin's animations are there and
labelled, Play / Pause / Step move the highlighted frame (by mouse and by keyboard), every frame's
number of products equals what snippets.conv_numpy computes, nothing autoplays under
prefers-reduced-motion, no console errors, and the whole page stays within its weight budget."""
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from snippets.conv_numpy import conv2d, conv_transpose2d
from snippets.shapes import conv_output_size, conv_transpose_output_size
from tests.conftest import only_pages

PATH = "interactive/animations/"
BUDGET_KB = 340
pytestmark = pytest.mark.skipif(not only_pages([PATH]), reason="ONLY_PAGES excludes the animations page")


def params(figure_data):
    return {key: value if key == "op" else int(value)
            for key, value in (pair.split("=") for pair in figure_data.split(","))}


def frame(page, index=0):
    return int(page.locator("figure.cf-anim").nth(index).get_attribute("data-frame"))


def test_fifteen_labelled_animations(visit):
    page = visit(PATH).page
    figures = page.locator("figure.cf-anim")
    assert figures.count() == 15
    kinds = []
    for n in range(15):
        figure = figures.nth(n)
        p = params(figure.get_attribute("data-anim"))
        kinds.append(p["op"])
        labels = figure.locator("svg text").all_text_contents()
        caption = figure.locator("figcaption").inner_text()
        if p["op"] == "conv":
            o = conv_output_size(p["i"], p["k"], p["s"], p["p"], p["d"])
            assert f"input i = {p['i']}" in labels and f"output o = {o}" in labels
        else:
            o = conv_transpose_output_size(p["i"], p["k"], p["s"], p["p"], p["d"], p["a"])
            assert f"input i′ = {p['i']}" in labels and f"output o′ = {o}" in labels
            # both parameter sets: the transposed convolution's own, and the direct convolution's
            assert f"i′ = {p['i']}, k′ = {p['k']}, s′ = {p['s']}, p′ = {p['p']}" in caption
            assert f"s′ − 1 = {p['s'] - 1} zero" in caption and f"k′ − p′ − 1 = {p['k'] - p['p'] - 1}" in caption
            # the direct convolution's input is labelled only when it is not the input itself
            changed = p["s"] > 1 or p["q"] > 0 or p["a"] > 0
            assert any(re.fullmatch(r"(stretched, )?(stretched|padded): \d+ × \d+", t) for t in labels) == changed
        # every grid label (input, output, "padded: …") at the grid titles' size: a scaled-down
        # side-by-side figure shrinks them all alike, never a smaller one below readability
        sizes = figure.locator("svg text.cf-label").evaluate_all("els => els.map(e => getComputedStyle(e).fontSize)")
        assert len(sizes) >= 2 and len(set(sizes)) == 1, sizes
        assert figure.locator("svg[role=img] > title").text_content()
        controls = figure.locator(".cf-controls")
        assert controls.is_visible(), "controls stay hidden: animations.mjs did not run"
        assert controls.get_by_role("button").all_inner_texts() == ["Play", "Pause", "Step"]
        assert f"of {o * o}:" in controls.locator(".cf-status").inner_text()
    assert kinds.count("conv") == 8 and kinds.count("transposed") == 7


def test_every_frame_sums_the_products_conv_numpy_counts(visit):
    """Step through every frame of every animation: the status line's number of products is the
    output of the same operation on an input and kernel of ones (snippets.conv_numpy)."""
    page = visit(PATH, color_scheme="light").page
    statuses = page.evaluate("""() => [...document.querySelectorAll('figure.cf-anim')].map(figure => {
        figure.querySelector('[data-action=pause]').click();
        const step = figure.querySelector('[data-action=step]');
        const n = figure.querySelector('.cf-grid-out').children.length;
        const start = Number(figure.dataset.frame);
        const seen = [];
        for (let f = 0; f < n; f++) {
          seen.push([Number(figure.dataset.frame), figure.querySelector('.cf-status').textContent,
                     figure.querySelectorAll('.cf-grid-in .cf-hit').length]);
          step.click();
        }
        return [figure.dataset.anim, seen, Number(figure.dataset.frame) === start];
    })""")
    frames = 0
    for data, seen, back_at_start in statuses:
        p = params(data)
        ones_x, ones_w = np.ones((1, 1, p["i"], p["i"])), np.ones((1, 1, p["k"], p["k"]))
        if p["op"] == "conv":
            y = conv2d(ones_x, ones_w, stride=p["s"], padding=p["p"], dilation=p["d"])[0, 0]
        else:
            y = conv_transpose2d(ones_x, ones_w, stride=p["s"], padding=p["p"], output_padding=p["a"],
                                 dilation=p["d"])[0, 0]
        start = seen[0][0]
        assert [f for f, _, _ in seen] == [(start + n) % y.size for n in range(y.size)] and back_at_start
        for index, status, hits in seen:
            r, c = divmod(index, y.shape[1])
            assert f"row {r + 1}, column {c + 1}," in status
            products = int(re.search(r"sum of (\d+) product", status).group(1))
            assert products == hits == int(y[r, c]), (data, index, status)
        frames += y.size
    assert frames > 0


def test_play_pause_and_step_change_the_frame(visit):
    page = visit(PATH).page
    figure = page.locator("figure.cf-anim").first
    figure.scroll_into_view_if_needed()
    pause, play, step = (figure.get_by_role("button", name=n, exact=True) for n in ("Pause", "Play", "Step"))
    pause.click()
    assert figure.get_attribute("data-playing") == "false"
    before = frame(page)
    current = figure.locator(".cf-cursor")
    position = (current.get_attribute("x"), current.get_attribute("y"))
    kernel = figure.locator("g.cf-kernel").get_attribute("transform")
    step.click()
    n = len(figure.locator(".cf-grid-out rect").all())
    assert frame(page) == (before + 1) % n
    assert (current.get_attribute("x"), current.get_attribute("y")) != position
    assert figure.locator("g.cf-kernel").get_attribute("transform") != kernel
    page.wait_for_timeout(1500)
    assert frame(page) == (before + 1) % n, "a paused animation moved"
    play.click()
    assert figure.get_attribute("data-playing") == "true" and play.get_attribute("aria-pressed") == "true"
    page.wait_for_function(f"document.querySelector('figure.cf-anim').dataset.frame !== '{(before + 1) % n}'",
                           timeout=5000)
    pause.click()
    stopped = frame(page)
    page.wait_for_timeout(1500)
    assert frame(page) == stopped


def test_step_by_keyboard(visit):
    page = visit(PATH).page
    figure = page.locator("figure.cf-anim").nth(2)
    figure.get_by_role("button", name="Pause", exact=True).focus()
    page.keyboard.press("Enter")  # pause, by keyboard
    start = frame(page, 2)
    page.keyboard.press("Tab")  # to Step
    assert page.evaluate("document.activeElement.textContent") == "Step"
    page.keyboard.press("Enter")
    page.keyboard.press("Space")
    assert frame(page, 2) == start + 2
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert frame(page, 2) == start + 1
    assert figure.locator(".cf-status").get_attribute("aria-live") == "polite"


def test_reduced_motion_does_not_autoplay(browser, base_url):
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base_url + PATH, wait_until="networkidle")
        figures = page.locator("figure.cf-anim")
        for n in range(figures.count()):  # bring every animation on screen once
            figures.nth(n).scroll_into_view_if_needed()
        page.wait_for_timeout(2000)
        state = page.eval_on_selector_all("figure.cf-anim", "els => els.map(e => [e.dataset.frame, e.dataset.playing])")
        assert state == [["0", "false"]] * 15, state
        assert errors == []
        # the reader can still start one
        figures.first.get_by_role("button", name="Play", exact=True).click()
        page.wait_for_function("document.querySelector('figure.cf-anim').dataset.frame !== '0'", timeout=5000)
    finally:
        context.close()


def test_no_console_errors_and_weight_budget(visit, record_property):
    v = visit(PATH)
    page = v.page
    page.wait_for_timeout(500)
    assert v.foreign == [] and v.errors == [], (v.foreign, v.errors)
    assert page.locator("figure.cf-anim").count() == 15
    assert page.locator("script[src*=katex]").count() == 0, "KaTeX loaded on a page without math"
    sizes = page.evaluate("""() => [performance.getEntriesByType('navigation')[0],
        ...performance.getEntriesByType('resource')].map(e => [e.name, e.transferSize])""")
    assert any(name.endswith("animations.mjs") for name, _ in sizes)
    assert any(name.endswith("convarith.mjs") for name, _ in sizes)
    total = sum(size for _, size in sizes)
    kb = round(total / 1024)
    record_property("summary", f"animations page: 15 animations, {kb} KB transferred (budget {BUDGET_KB} KB)")
    assert total <= BUDGET_KB * 1024, "\n".join(f"{size:>8} {name}" for name, size in sizes)


def test_output_padding_of_the_odd_case_only_chooses_the_size(built_site):
    """"Padding, strides (odd)": the figure is i′ = 3, k′ = 3, s′ = 2, p′ = 1, a = 1, and what the
    page says about it holds in torch: a = 1 adds one row and column of real sums (p′ = 1 >= a) and
    leaves the a = 0 output as it is; with p′ = 0 the added row and column are all zeros."""
    html = (built_site / PATH / "index.html").read_text(encoding="utf-8")
    assert 'data-anim="op=transposed,i=3,k=3,s=2,p=1,d=1,a=1,' in html
    torch.manual_seed(0)
    x = torch.rand(1, 1, 3, 3, dtype=torch.float64) + 0.5  # positive: a row of real sums is non-zero
    w = torch.rand(1, 1, 3, 3, dtype=torch.float64) + 0.5
    for p, zeros in [(1, False), (0, True)]:
        y0 = F.conv_transpose2d(x, w, stride=2, padding=p)[0, 0]
        y1 = F.conv_transpose2d(x, w, stride=2, padding=p, output_padding=1)[0, 0]
        assert y1.shape[0] == y0.shape[0] + 1 == (6 if p == 1 else 8)
        torch.testing.assert_close(y1[:-1, :-1], y0)  # the other rows and columns never change
        last = torch.cat([y1[-1], y1[:, -1]])
        assert bool((last == 0).all()) is zeros, (p, y1)
