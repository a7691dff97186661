"""The network shape calculator (docs/interactive/calculator.md) in real Chromium: the MNIST
preset gives 3136, PyTorch layers agree with torch and TensorFlow layers with snippets/shapes.py,
editing and reordering update the shapes, the URL reproduces the network, the keyboard alone
drives it, and every bad value or tampered link is answered with an inline message."""
import json
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
import torch
from torch import nn

from snippets.shapes import same_output_size, valid_output_size
from tests.conftest import only_pages
from tests.chromium import Visit, visible_text_without

PATH = "interactive/calculator/"
pytestmark = pytest.mark.skipif(not only_pages([PATH]), reason="ONLY_PAGES leaves out the calculator")
TIME_LIMIT = 3.0
MODEL_CALLS = Path(__file__).resolve().parent / "js" / "calculator_model_calls.mjs"
MNIST_SHAPES = ["(32, 28, 28)", "(32, 14, 14)", "(64, 14, 14)", "(64, 7, 7)", "(3136,)", "(1024,)", "(10,)"]


def open_calculator(browser, base_url, query=""):
    visit = Visit(browser, base_url + PATH + query)
    visit.page.wait_for_selector("#calculator[data-ready=true]")
    return visit


@pytest.fixture
def calculator(browser, base_url):
    visits = []

    def open_page(query=""):
        visits.append(open_calculator(browser, base_url, query))
        return visits[-1]

    yield open_page
    for visit in visits:
        visit.close()


def layers(page):
    """[(type, [values], output shape text)] as the page shows them."""
    return page.evaluate("""() => [...document.querySelectorAll('#calculator-layers > li')].map(li => [
        li.querySelector('select').value,
        [...li.querySelectorAll('.cv-params input')].map(e => e.value),
        li.dataset.output])""")


def input_shape(page):
    return [page.input_value(f"#calculator-input-{k}") for k in "CHW"]


def torch_shapes(input_shape, net):
    """Output shapes from the real layers (PyTorch) or snippets/shapes.py (TensorFlow's rules)."""
    x = torch.zeros(1, *input_shape)
    shapes = []
    for kind, v in net:
        c, h, w = x.shape[1:] if x.dim() == 4 else (None, None, None)
        if kind == "conv2d":
            x = nn.Conv2d(c, v[0], v[1], stride=v[2], padding=v[3], dilation=v[4])(x)
        elif kind == "maxpool2d":
            x = nn.MaxPool2d(v[0], stride=v[1], padding=v[2], dilation=v[3])(x)
        elif kind == "avgpool2d":
            x = nn.AvgPool2d(v[0], stride=v[1], padding=v[2])(x)
        elif kind == "convtranspose2d":
            x = nn.ConvTranspose2d(c, v[0], v[1], stride=v[2], padding=v[3], output_padding=v[4], dilation=v[5])(x)
        elif kind in {"conv_same", "pool_same"}:
            channels = v[0] if kind == "conv_same" else c
            x = torch.zeros(1, channels, same_output_size(h, v[-1]), same_output_size(w, v[-1]))
        elif kind in {"conv_valid", "pool_valid"}:
            channels = v[0] if kind == "conv_valid" else c
            k = v[1] if kind == "conv_valid" else v[0]
            x = torch.zeros(1, channels, valid_output_size(h, k, v[-1]), valid_output_size(w, k, v[-1]))
        elif kind == "flatten":
            x = nn.Flatten()(x)
        elif kind == "linear":
            x = nn.Linear(v[0], v[1])(x)
        shape = tuple(x.shape[1:])
        shapes.append(f"({shape[0]},)" if len(shape) == 1 else str(shape))
    return shapes


def query(input_shape, net):
    items = [kind + (":" + ",".join(map(str, v)) if v else "") for kind, v in net]
    return f"?in={','.join(map(str, input_shape))}&net={';'.join(items)}"


def test_mnist_preset_shows_3136(calculator, record_property):
    v = calculator()
    page = v.page
    assert input_shape(page) == ["1", "28", "28"]
    assert [shape for _, _, shape in layers(page)] == MNIST_SHAPES
    mnist = [("conv_same", [32, 5, 1]), ("pool_same", [2, 2]), ("conv_same", [64, 5, 1]), ("pool_same", [2, 2]),
             ("flatten", []), ("linear", [3136, 1024]), ("linear", [1024, 10])]
    assert torch_shapes((1, 28, 28), mnist) == MNIST_SHAPES
    assert "Flatten size: 3136 = 7 × 7 × 64" in page.text_content("#calculator-summary")
    assert "net=conv_same:32,5,1;pool_same:2,2;" in page.url
    assert v.errors == []
    record_property("summary", "calculator: MNIST preset 28x28x1 -> 7x7x64 = 3136, as snippets/shapes.py says")


NETWORKS = [
    ((3, 37, 41), [("conv2d", [8, 5, 2, 1, 2]), ("maxpool2d", [3, 2, 1, 1]), ("convtranspose2d", [4, 4, 2, 1, 1, 1]),
                   ("avgpool2d", [2, 2, 0]), ("conv_valid", [6, 3, 2]), ("pool_same", [3, 2]), ("flatten", [])]),
    ((1, 64, 48), [("conv2d", [16, 3, 1, 1, 1]), ("maxpool2d", [2, 2, 0, 1]), ("conv2d", [32, 3, 2, 0, 1]),
                   ("convtranspose2d", [16, 3, 2, 1, 1, 1]), ("convtranspose2d", [1, 2, 2, 0, 0, 1]),
                   ("pool_valid", [2, 3]), ("conv_same", [4, 7, 3]), ("flatten", [])]),
    ((2, 9, 9), [("convtranspose2d", [3, 3, 3, 2, 2, 2]), ("avgpool2d", [3, 1, 1]), ("maxpool2d", [4, 3, 2, 2]),
                 ("conv2d", [5, 2, 3, 0, 3]), ("flatten", [])]),
]


@pytest.mark.parametrize("index", range(len(NETWORKS)))
def test_shapes_equal_torch_and_the_url_round_trips(calculator, index, record_property):
    input_shape_, net = NETWORKS[index]
    expected = torch_shapes(input_shape_, net)
    flat = int(expected[-1].strip("(,)"))
    net = net + [("linear", [flat, 12])]
    expected.append("(12,)")
    v = calculator(query(input_shape_, net))
    page = v.page
    assert [shape for _, _, shape in layers(page)] == expected
    assert [(kind, [int(t) for t in values]) for kind, values, _ in layers(page)] == net
    # Edit the input height so that a different number of values reaches Flatten: the Linear layer
    # then says its in_features are wrong.
    c, h, w = input_shape_
    height, edited = next((h + delta, shapes) for delta in (20, 16, 12, 8, 24, 40)
                          for shapes in [torch_shapes((c, h + delta, w), net[:-1])] if shapes[-1] != expected[-2])
    page.fill("#calculator-input-H", str(height))
    shown = layers(page)
    assert [shape for _, _, shape in shown[:-1]] == edited
    new_flat = int(edited[-1].strip("(,)"))
    message = page.text_content(f"#layer-{len(net)}-output")
    assert f"in_features is {flat}, but the layer above gives {new_flat} features" in message
    page.fill(f"#layer-{len(net)}-in_features", str(new_flat))
    assert "matches" in page.text_content(f"#layer-{len(net)}-output")
    # Reload the URL: the same table.
    before = (input_shape(page), layers(page), page.text_content("#calculator-summary"))
    url = page.url
    again = Visit(v.context.browser, url)
    try:
        again.page.wait_for_selector("#calculator[data-ready=true]")
        after = (input_shape(again.page), layers(again.page), again.page.text_content("#calculator-summary"))
        assert after == before
        assert again.errors == []
    finally:
        again.close()
    assert v.errors == []
    record_property("summary", f"calculator: network {index} ({len(net)} layers) equals torch/snippets, "
                               "edits update, its URL reloads the same table")


def test_add_remove_reorder(calculator):
    v = calculator()
    page = v.page
    page.click("#layer-7-remove")
    page.click("#layer-6-remove")
    assert len(layers(page)) == 5
    page.select_option("#calculator-add-type", "linear")
    page.click("#calculator-add")
    assert layers(page)[-1][0] == "linear" and len(layers(page)) == 6
    page.fill("#layer-6-in_features", "3136")
    page.fill("#layer-6-out_features", "10")
    assert layers(page)[-1][2] == "(10,)"
    # Move the second pooling layer up, above the second convolution: the shapes change.
    page.click("#layer-4-up")
    assert [kind for kind, _, _ in layers(page)][:4] == ["conv_same", "pool_same", "pool_same", "conv_same"]
    assert [shape for _, _, shape in layers(page)][:5] == ["(32, 28, 28)", "(32, 14, 14)", "(32, 7, 7)",
                                                           "(64, 7, 7)", "(3136,)"]
    assert page.evaluate("document.activeElement.id") == "layer-3-up"  # focus follows the moved layer
    page.click("#layer-3-down")
    assert [shape for _, _, shape in layers(page)][:4] == MNIST_SHAPES[:4]
    # Change a layer's type: its parameters change with it.
    page.select_option("#layer-1-type", "conv2d")
    assert layers(page)[0][:2] == ["conv2d", ["32", "3", "1", "1", "1"]]
    assert layers(page)[0][2] == "(32, 28, 28)"
    assert "net=conv2d:32,3,1,1,1;" in page.url
    page.click("#calculator-reset")
    assert [shape for _, _, shape in layers(page)] == MNIST_SHAPES
    assert v.errors == []


def test_keyboard_only(calculator):
    v = calculator()
    page = v.page
    page.focus("#calculator-input-H")  # the starting point; the rest is keys only
    page.keyboard.press("Control+A")
    page.keyboard.type("32")
    assert layers(page)[3][2] == "(64, 8, 7)"  # H 32, W still 28
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "layer-2-remove":
            break
    page.keyboard.press("Enter")
    assert [kind for kind, _, _ in layers(page)][:2] == ["conv_same", "conv_same"]
    assert page.evaluate("document.activeElement.id") == "layer-2-remove"
    page.keyboard.press("Shift+Tab")  # layer 2's "down" button
    page.keyboard.press("Shift+Tab")  # layer 2's "up" button
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.id") == "layer-1-down"
    assert [shape for _, _, shape in layers(page)][:3] == ["(64, 32, 28)", "(32, 32, 28)", "(32, 16, 14)"]
    assert v.errors == []


def test_fits_a_narrow_screen(calculator):
    """At 390 px (a phone) no control sticks out: the page never scrolls sideways, and every
    layer-type menu stays inside its card."""
    v = calculator(query((3, 32, 32), PYTORCH_NET + [("pool_same", [2, 2])]))
    page = v.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    outside = page.evaluate("""() => [...document.querySelectorAll('#calculator select')].filter(s => {
        const box = s.getBoundingClientRect();
        const card = (s.closest('li') || s.closest('.cv-add')).getBoundingClientRect();
        return box.left < card.left || box.right > card.right; }).map(s => s.id)""")
    assert outside == []
    assert v.errors == []


# --- fuzzing ----------------------------------------------------------------------------------

SIZE_BAD = ["-1", "0", "1e9", "abc", "", "2.5", "NaN", " "]
COUNT_BAD = ["-1", "0", "1e10", "abc", "", "2.5"]
PYTORCH_NET = [("conv2d", [8, 3, 1, 1, 1]), ("maxpool2d", [2, 2, 0, 1]), ("convtranspose2d", [4, 3, 2, 1, 1, 1]),
               ("avgpool2d", [2, 2, 0]), ("flatten", []), ("linear", [1024, 10])]
PYTORCH_QUERY = query((3, 32, 32), PYTORCH_NET)


def field_cases():
    """(label, query to load, field id, bad value, element whose text holds the message, fragment)."""
    for key, name in [("C", "input channels C"), ("H", "input height H"), ("W", "input width W")]:
        for bad in COUNT_BAD if key == "C" else SIZE_BAD:
            yield f"input {key}={bad!r}", "", f"calculator-input-{key}", bad, "#calculator-input-message", name
    mnist_params = [(1, "filters", True), (1, "kernel_size", False), (1, "strides", False),
                    (2, "pool_size", False), (2, "strides", False), (6, "out_features", True)]
    for layer, name, count in mnist_params:
        for bad in COUNT_BAD if count else SIZE_BAD:
            yield f"MNIST layer {layer} {name}={bad!r}", "", f"layer-{layer}-{name}", bad, f"#layer-{layer}-output", name
    pytorch_params = [(1, "stride"), (1, "padding"), (2, "dilation"), (3, "output_padding"), (3, "kernel_size"),
                      (4, "padding")]
    for layer, name in pytorch_params:
        for bad in ["-1", "abc", "", "1e9", "0.5"]:
            yield (f"PyTorch layer {layer} {name}={bad!r}", PYTORCH_QUERY, f"layer-{layer}-{name}", bad,
                   f"#layer-{layer}-output", name)
    # Values that are fine alone but not in this network.
    yield "Conv2d kernel > padded input", PYTORCH_QUERY, "layer-1-kernel_size", "40", "#layer-1-output", "kernel spans"
    yield "pool padding > kernel/2", PYTORCH_QUERY, "layer-2-padding", "2", "#layer-2-output", "at most half of kernel_size"
    yield "output_padding >= stride", PYTORCH_QUERY, "layer-3-output_padding", "2", "#layer-3-output", "outputPadding must be smaller"
    yield "transposed padding crops all", PYTORCH_QUERY, "layer-3-padding", "40", "#layer-3-output", "padding crops"
    yield "Linear in_features mismatch", PYTORCH_QUERY, "layer-6-in_features", "1000", "#layer-6-output", "in_features is 1000"
    yield "VALID kernel > input", "?in=1,4,4&net=conv_valid:2,3,1", "layer-1-kernel_size", "5", "#layer-1-output", "kernel spans 5 > i = 4"
    yield "SAME pool stride 0", "?in=1,4,4&net=pool_same:2,2", "layer-1-strides", "0", "#layer-1-output", "strides"
    yield "huge transposed stride", PYTORCH_QUERY, "layer-3-stride", "10000", "#layer-3-output", "LIMITS.maxSize"


TAMPERED = [
    ("?in=1,28&net=flatten", "three values"),
    ("?in=1,28,28,3&net=flatten", "three values"),
    ("?net=conv2d:1,3,1,0,1", 'no input shape ("in")'),
    ("?in=1,28,28", 'no network ("net")'),
    ("?in=1,28,28&net=bogus:1,2", 'unknown type "bogus"'),
    ("?in=1,28,28&net=conv2d:1,2", "has 2 value(s); it takes 5"),
    ("?in=1,28,28&net=flatten:3", "has 1 value(s); it takes 0"),
    ("?in=1,28,28&net=conv2d:1,3,1,0,1,9,9", "has 7 value(s)"),
    ("?in=%E0%A4%A&net=flatten", "could not be decoded"),
    ("?in=1,28,28&net=" + ";".join(["flatten"] * 65), "at most 64"),
    ("?in=1,28,28&net=" + "x" * 5000, "more than 4000"),
    ("?in=1,28,28&net=flatten;;flatten", 'unknown type ""'),
    ("?in=1,28,28&net=flatten&net=flatten", "twice"),
    ("?in=1,28,28&net=" + quote("<img src=x onerror=alert(1)>"), "unknown type"),
    ("?in=1,28,28&net=__proto__:1", 'unknown type "__proto__"'),
    ("?in=1,28,28&net=toString", 'unknown type "toString"'),
]
# Readable links whose values are wrong: loaded as typed, each explained on its layer.
TAMPERED_VALUES = [
    ("?in=1,28,28&net=conv2d:a,b,c,d,e", "#layer-1-output", "out_channels"),
    ("?in=-1,28,28&net=flatten", "#calculator-input-message", "input channels C"),
    ("?in=1,NaN,28&net=flatten", "#calculator-input-message", "input height H"),
    ("?in=1,28,1e9&net=flatten", "#calculator-input-message", "input width W"),
    ("?in=1,28,28&net=linear:5,6", "#layer-1-output", "Linear needs a flat input"),
    ("?in=1,28,28&net=flatten;conv2d:1,3,1,0,1", "#layer-2-output", "needs a (C, H, W) input"),
    ("?in=1,28,28&net=maxpool2d:2,2,0,0", "#layer-1-output", "dilation"),
    ("?in=1,28,28&net=conv_same:" + quote("<b>1</b>") + ",5,1", "#layer-1-output", "filters"),
]


# Runs in the page, one call for all the cases of a page (a Playwright round trip per check
# made this test slow): for each case, type the bad value into the field (an "input" event, what
# typing fires), read what the checks need, then type the good value back and read the summary.
# Uncaught errors are recorded per case; console errors still reach the Visit as well.
TYPE_BAD_VALUES = """cases => {
    const errors = [];
    window.addEventListener('error', event => errors.push(String(event.message)));
    const type = (id, value) => {
        const field = document.getElementById(id);
        field.value = value;
        field.dispatchEvent(new Event('input', {bubbles: true}));
    };
    const text = selector => document.querySelector(selector).textContent;
    const visible = element => {  // Playwright's is_visible
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== 'hidden';
    };
    return cases.map(([field, bad, where]) => {
        const good = document.getElementById(field).value;
        const before = errors.length;
        const start = performance.now();
        type(field, bad);
        const shown = {message: text(where), seconds: (performance.now() - start) / 1000,
                       visible: visible(document.querySelector(where)), summary: text('#calculator-summary'),
                       body: document.body.innerText};
        type(field, good);
        return {...shown, recovered: text('#calculator-summary'), errors: errors.slice(before)};
    });
}"""


def follow_link(page, query):
    """Show the network of another address ("" for none) as the page does after the back button:
    the page reads location.search again with the function that reads it on load
    (Calculator.loadAddress), so each link is checked without the cost of a page load."""
    page.evaluate("""query => {
        history.pushState(null, '', location.pathname + query);
        dispatchEvent(new PopStateEvent('popstate'));
    }""", query)


def test_fuzzed_bad_inputs_show_an_inline_message(calculator, record_property):
    count = 0
    slowest = 0.0
    by_query = {}
    for case in field_cases():
        by_query.setdefault(case[1], []).append(case)
    v = calculator()
    page = v.page
    for start_query, cases in by_query.items():
        follow_link(page, start_query)
        shown = page.evaluate(TYPE_BAD_VALUES, [[field, bad, where] for _, _, field, bad, where, _ in cases])
        for (label, _, field, bad, where, fragment), result in zip(cases, shown):
            slowest = max(slowest, result["seconds"])
            assert result["seconds"] < TIME_LIMIT, f"{label}: {result['seconds']:.1f} s"
            message = result["message"]
            assert fragment in message, f"{label}: {message!r} does not contain {fragment!r}"
            assert result["visible"], label
            assert "problem(s)" in result["summary"], label
            assert "NaN" not in result["body"].replace(f'"{bad}"', ""), f"{label}: NaN on the page"
            assert result["errors"] == [], f"{label}: errors {result['errors']}"
            assert "problem" not in result["recovered"], f"{label}: did not recover"
            count += 1
        assert v.errors == [], f"{start_query}: console errors {v.errors}"
    for bad_query, fragment in TAMPERED:
        follow_link(page, bad_query)
        message = page.text_content("#calculator-link-message")
        assert "could not be read" in message and fragment in message, f"{bad_query[:60]}: {message!r}"
        assert [shape for _, _, shape in layers(page)] == MNIST_SHAPES  # falls back to the example
        assert "NaN" not in page.evaluate("document.body.innerText")
        assert page.locator("#calculator img").count() == 0
        assert v.errors == [], f"{bad_query[:60]}: console errors {v.errors}"
        count += 1
    for bad_query, where, fragment in TAMPERED_VALUES:
        follow_link(page, bad_query)
        assert fragment in page.text_content(where), f"{bad_query}: {page.text_content(where)!r}"
        assert page.text_content("#calculator-link-message") == ""
        assert "NaN" not in visible_text_without(page, ["NaN"])
        assert page.locator("#calculator b").count() == 0
        assert v.errors == [], f"{bad_query}: console errors {v.errors}"
        count += 1
    assert count >= 100
    record_property("summary", f"calculator: {count} fuzzed bad inputs and tampered links, each answered with an "
                               f"inline message (slowest {slowest:.2f} s, no console error, no NaN)")


# --- the model alone, in Node -------------------------------------------------------------------

def model_calls(node, calls):
    """The results of calls [fn, *args] of calculator-model.mjs, all in one Node process."""
    run = subprocess.run([node, str(MODEL_CALLS)], input=json.dumps(calls), capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def test_model_reads_links_and_computes_shapes(node, record_property):
    """calculator-model.mjs without a page, in a fraction of a second: each tampered link gives its
    error, each network's link reads back as the network, and its shapes equal torch's."""
    decoded = model_calls(node, [["decodeState", bad_query] for bad_query, _ in TAMPERED])
    for (bad_query, fragment), result in zip(TAMPERED, decoded):
        assert fragment in result.get("error", ""), f"{bad_query[:60]}: {result}"
    states = [{"input": [str(n) for n in shape], "layers": [{"type": kind, "values": [str(v) for v in values]}
                                                           for kind, values in net]}
              for shape, net in NETWORKS]
    results = model_calls(node, [["decodeState", query(shape, net)] for shape, net in NETWORKS]
                          + [["computeNetwork", state] for state in states])
    assert results[:len(NETWORKS)] == [{"state": state} for state in states]
    for (shape, net), network in zip(NETWORKS, results[len(NETWORKS):]):
        shown = [f"({row['shape'][0]},)" if len(row["shape"]) == 1 else str(tuple(row["shape"]))
                 for row in network["rows"]]
        assert shown == torch_shapes(shape, net)
    record_property("summary", f"calculator-model.mjs in Node: {len(TAMPERED)} tampered links refused, "
                               f"{len(NETWORKS)} networks read back from their links with torch's shapes")
