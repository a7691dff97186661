"""docs/assets/js/port.mjs and the page docs/interactive/port.md.

- The contract, through ONE Node process per batch (tests/js/port_cases.mjs): tfConvTransposeToTorch
  against a Python reference of TensorFlow's rule and, by value, against real TensorFlow and
  PyTorch; the padding solver against brute force and PyTorch; the mirrored decoder's generated
  code run with torch; bad input answered with an Error that names the field.
- The page in Chromium: the tool in the first screen of a phone, fuzzed settings of every source
  framework whose generated Python checks all pass with the real packages, inline messages for
  bad input, and the query string reproducing the tool.

Settings come from hypothesis (derandomize=True), drawn up front so that one Node process (and
one Python process with the frameworks) answers them all. The framework code runs in one child
Python process for the module (this file run as a script): TensorFlow, JAX and ONNX Runtime stay
out of the test process, and each snippet runs in a fresh namespace there.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

ROOT = Path(__file__).resolve().parents[1]
HELPER = ROOT / "tests" / "js" / "port_cases.mjs"
PAGE = "interactive/port/"
FRAMEWORKS = ["torch", "tf", "keras", "jax", "onnx"]
# One xdist worker runs the module: its tests share one framework child process and one browser.
pytestmark = pytest.mark.xdist_group("port")


# --- plumbing ---------------------------------------------------------------------------------

def node_calls(calls):
    """[{fn, args}] -> [{ok} | {error, field, isError}], all in one Node process."""
    done = subprocess.run(["node", str(HELPER)], input=json.dumps(calls), capture_output=True,
                          text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout)


def drawn(strategy, n):
    """n derandomized hypothesis draws, collected before anything runs (so they can be batched)."""
    cases = []

    @settings(max_examples=n, derandomize=True, deadline=None, database=None)
    @given(strategy)
    def collect(case):
        cases.append(case)

    collect()
    return cases


def distinct(cases):
    """Hypothesis repeats its simplest draws; each setting counts once."""
    seen = []
    for case in cases:
        if case not in seen:
            seen.append(case)
    return seen


REPLY = "@@port-reply "  # marks the child's answer among anything a framework prints


@pytest.fixture(scope="module")
def run_python(tmp_path_factory):
    """run_python(snippets) -> [error or None]: each snippet in a fresh namespace of ONE child
    Python kept for the module, so the frameworks are imported once."""
    log = tmp_path_factory.mktemp("port") / "child.log"
    with open(log, "w") as stderr:
        child = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=stderr, text=True, cwd=ROOT, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})

        def run(snippets):
            child.stdin.write(json.dumps(snippets) + "\n")
            child.stdin.flush()
            for line in child.stdout:
                if line.startswith(REPLY):
                    return json.loads(line[len(REPLY):])
            pytest.fail(f"the snippet runner stopped:\n{log.read_text()[-3000:]}")

        yield run
        child.stdin.close()
        child.wait(timeout=60)


# --- a Python reference of the shared model ----------------------------------------------------

def full_length(i, k, s, d=1):
    return (i - 1) * s + d * (k - 1) + 1


def tf_window_begin(rule, i, k, s, o):
    """Where TensorFlow's window of the full output starts, or None if it rejects output size o:
    conv2d_transpose is the gradient of conv2d whose input has size o and output size i."""
    forward = -(-o // s) if rule == "SAME" else -(-(o - k + 1) // s)
    if forward != i:
        return None
    return max(full_length(i, k, s) - o, 0) // 2 if rule == "SAME" else 0


# --- tfConvTransposeToTorch --------------------------------------------------------------------

@st.composite
def tf_settings(draw):
    i, k, s = draw(st.integers(1, 6)), draw(st.integers(1, 5)), draw(st.integers(1, 4))
    rule = draw(st.sampled_from(["SAME", "VALID"]))
    first = (i - 1) * s + (1 if rule == "SAME" else k)
    return {"input": i, "kernel": k, "stride": s, "padding": rule, "output": max(1, first + draw(st.integers(-1, s)))}


def tf_check_code(case, answer):
    """Python that runs TensorFlow and PyTorch (with the answer's padding and crop) on one axis."""
    i, k, s, o, rule = case["input"], case["kernel"], case["stride"], case["output"], case["padding"]
    head = (f"import numpy as np\nimport tensorflow as tf\nimport torch\n"
            f"rng = np.random.default_rng({i * 1000 + k * 100 + s * 10 + o})\n"
            f"x = rng.standard_normal((1, 1, {i}, 2), dtype=np.float32)\n"
            f"w = rng.standard_normal((1, {k}, 3, 2), dtype=np.float32)\n")
    tf_call = f"tf.nn.conv2d_transpose(x, w, [1, 1, {o}, 3], strides=[1, 1, {s}, 1], padding='{rule}')"
    if answer is None:
        return head + (f"try:\n    {tf_call}\nexcept tf.errors.OpError:  # oneDNN raises AbortedError, the reference kernel InvalidArgumentError\n    pass\n"
                       f"else:\n    raise AssertionError('TensorFlow accepted output {o}')\n")
    p, op, before, after = (answer[key] for key in ("padding", "outputPadding", "cropBefore", "cropAfter"))
    return head + (
        f"y_tf = {tf_call}.numpy().transpose(0, 3, 1, 2)\n"
        f"y = torch.nn.functional.conv_transpose2d(torch.from_numpy(x.transpose(0, 3, 1, 2)),\n"
        f"    torch.from_numpy(w.transpose(3, 2, 0, 1)), stride=(1, {s}), padding=(0, {p}), output_padding=(0, {op})).numpy()\n"
        f"y = y[..., {before}:y.shape[-1] - {after}]\n"
        f"np.testing.assert_allclose(y, y_tf, rtol=1e-5, atol=1e-5)\n")


def test_tf_conv_transpose_to_torch(run_python, record_property):
    cases = distinct(drawn(tf_settings(), 200))
    results = node_calls([{"fn": "tfConvTransposeToTorch", "args": [case]} for case in cases])
    snippets, rejected = [], 0
    for case, result in zip(cases, results):
        begin = tf_window_begin(case["padding"], case["input"], case["kernel"], case["stride"], case["output"])
        if begin is None:
            assert result.get("field") == "output" and "output" in result["error"], (case, result)
            rejected += 1
            # TensorFlow's oneDNN kernel returns a result for VALID sizes below the kernel span
            # (its reference kernel rejects them); the rejection is checked where both agree.
            if case["padding"] == "SAME" or case["output"] >= case["kernel"]:
                snippets.append(tf_check_code(case, None))
            continue
        answer = result["ok"]
        full = full_length(case["input"], case["kernel"], case["stride"])
        # The reference: PyTorch's window [p, F - p + op), cropped, equals TensorFlow's.
        assert min(answer["cropBefore"], answer["cropAfter"], answer["padding"]) >= 0
        assert 0 <= answer["outputPadding"] < case["stride"]
        assert answer["padding"] + answer["cropBefore"] == begin, (case, answer)
        assert full - answer["padding"] + answer["outputPadding"] - answer["cropAfter"] == begin + case["output"]
        snippets.append(tf_check_code(case, answer))
    errors = run_python(snippets)
    failed = [(code, error) for code, error in zip(snippets, errors) if error]
    assert not failed, failed[:3]
    crops = sum(1 for r in results if "ok" in r and (r["ok"]["cropBefore"] or r["ok"]["cropAfter"]))
    record_property("summary", f"port.mjs tfConvTransposeToTorch: {len(cases) - rejected} TensorFlow settings equal "
                               f"PyTorch by value ({crops} need an extra crop), {rejected} rejected sizes named")


# --- solveConvTranspose and nearestReachable ---------------------------------------------------

@st.composite
def solver_settings(draw):
    return {"input": draw(st.integers(1, 8)), "output": draw(st.integers(1, 30)), "kernel": draw(st.integers(1, 5)),
            "stride": draw(st.integers(1, 4)), "dilation": draw(st.integers(1, 3))}


def brute_force(i, o, k, s, d):
    full = full_length(i, k, s, d)
    return [{"padding": p, "outputPadding": op} for p in range(full + 1) for op in range(max(s, d))
            if full - 2 * p + op == o]


def torch_output_size(i, k, s, d, p, op):
    return F.conv_transpose1d(torch.zeros(1, 1, i), torch.zeros(1, 1, k), stride=s, padding=p,
                              output_padding=op, dilation=d).shape[-1]


def test_solver_equals_brute_force_and_torch(tiny_tensor_mode, record_property):
    cases = distinct(drawn(solver_settings(), 400))
    calls = [{"fn": fn, "args": [case]} for case in cases for fn in ("solveConvTranspose", "nearestReachable")]
    results = node_calls(calls)
    solved = checked = 0
    for case, found, nearest in zip(cases, results[::2], results[1::2]):
        i, o, k, s, d = (case[key] for key in ("input", "output", "kernel", "stride", "dilation"))
        assert found["ok"] == brute_force(i, o, k, s, d), case
        for solution in found["ok"]:
            assert torch_output_size(i, k, s, d, solution["padding"], solution["outputPadding"]) == o
            checked += 1
        solved += bool(found["ok"])
        if not found["ok"]:
            reachable = {size for size in range(1, o + 50) if brute_force(i, size, k, s, d)}
            below, above = nearest["ok"]["below"], nearest["ok"]["above"]
            assert (below and below["output"]) == max((r for r in reachable if r < o), default=None), case
            assert (above and above["output"]) == min((r for r in reachable if r > o), default=None), case
    record_property("summary", f"port.mjs solveConvTranspose: {len(cases)} settings equal brute force "
                               f"({solved} solvable, {checked} solutions give o in PyTorch)")


# --- mirrorDecoder and decoderCode -------------------------------------------------------------

LAYER_DRAWS = {
    "conv2d": lambda draw: [draw(st.integers(1, 8)), draw(st.integers(1, 5)), draw(st.integers(1, 3)),
                            draw(st.integers(0, 2)), draw(st.integers(1, 2))],
    "maxpool2d": lambda draw: [draw(st.integers(2, 3)), draw(st.integers(1, 3)), 0, 1],
    "avgpool2d": lambda draw: [draw(st.integers(2, 3)), draw(st.integers(1, 3)), 1],
    "conv_same": lambda draw: [draw(st.integers(1, 8)), draw(st.integers(1, 5)), draw(st.integers(1, 3))],
    "conv_valid": lambda draw: [draw(st.integers(1, 8)), draw(st.integers(1, 3)), draw(st.integers(1, 3))],
    "pool_same": lambda draw: [draw(st.integers(1, 3)), draw(st.integers(1, 3))],
    "pool_valid": lambda draw: [draw(st.integers(1, 2)), draw(st.integers(1, 2))],
}


@st.composite
def encoders(draw):
    types = draw(st.lists(st.sampled_from(sorted(LAYER_DRAWS)), min_size=1, max_size=4))
    return {"input": [draw(st.integers(1, 3)), draw(st.integers(9, 40)), draw(st.integers(9, 40))],
            "layers": [{"type": t, "values": [str(v) for v in LAYER_DRAWS[t](draw)]} for t in types]}


def encoder_shapes(encoder):
    """The shapes the real layers give (PyTorch layers; TensorFlow's rules from snippets/shapes.py)."""
    from snippets.shapes import same_output_size, valid_output_size

    x = torch.zeros(1, *encoder["input"])
    shapes = [list(encoder["input"])]
    for layer in encoder["layers"]:
        v = [int(value) for value in layer["values"]]
        c, h, w = x.shape[1:]
        kind = layer["type"]
        if kind == "conv2d":
            x = torch.nn.Conv2d(c, v[0], v[1], stride=v[2], padding=v[3], dilation=v[4])(x)
        elif kind == "maxpool2d":
            x = torch.nn.MaxPool2d(v[0], stride=v[1], padding=v[2], dilation=v[3])(x)
        elif kind == "avgpool2d":
            x = torch.nn.AvgPool2d(v[0], stride=v[1], padding=v[2])(x)
        else:
            channels = v[0] if kind.startswith("conv") else c
            k = v[-2]
            size = (lambda i: same_output_size(i, v[-1])) if kind.endswith("same") else (lambda i: valid_output_size(i, k, v[-1]))
            x = torch.zeros(1, channels, size(h), size(w))
        shapes.append(list(x.shape[1:]))
    return shapes


def test_mirrored_decoder_restores_every_size(tiny_tensor_mode, record_property):
    cases = distinct(drawn(encoders(), 120))
    results = node_calls([{"fn": "mirrorDecoder", "args": [case]} for case in cases])
    valid = [(case, r["ok"]) for case, r in zip(cases, results) if "ok" in r]
    for case, r in zip(cases, results):
        if "error" in r:  # only an encoder that shrinks a side below 1 may fail
            assert r["field"] == "encoder" and "layer" in r["error"], (case, r)
            with pytest.raises(RuntimeError):
                encoder_shapes(case)
    codes = node_calls([{"fn": "decoderCode", "args": [decoder]} for _, decoder in valid])
    odd = 0
    with torch.no_grad():
        for (case, decoder), code in zip(valid, codes):
            assert decoder["shapes"] == encoder_shapes(case), case
            exec(code["ok"], {})  # asserts every restored shape itself
            odd += any(size % 2 for shape in decoder["shapes"] for size in shape[1:])
    assert len(valid) >= 80
    record_property("summary", f"port.mjs mirrorDecoder: {len(valid)} encoders mirrored exactly by the generated "
                               f"nn.Sequential ({odd} with odd sizes)")


# --- bad input ---------------------------------------------------------------------------------

TF = {"cin": "3", "cout": "4", "h": "7", "w": "5", "k": "3", "s": "2", "d": "1", "rule": "SAME", "oh": "14", "ow": "10"}
BAD_INPUTS = [  # (function, arguments, field, a word the message must contain)
    ("tfConvTransposeToTorch", [{"input": 4, "kernel": 3, "stride": 2, "padding": "SAME", "output": 9}], "output", "output"),
    ("tfConvTransposeToTorch", [{"input": 4, "kernel": 3, "stride": 2, "padding": "VALID", "output": 8}], "output", "output"),
    ("tfConvTransposeToTorch", [{"input": 4, "kernel": 3, "stride": 2, "padding": "same", "output": 8}], "padding", "padding"),
    ("tfConvTransposeToTorch", [{"input": 4.5, "kernel": 3, "stride": 2, "padding": "SAME", "output": 8}], "input", "input"),
    ("tfConvTransposeToTorch", [{"input": 4, "kernel": -3, "stride": 2, "padding": "SAME", "output": 8}], "kernel", "kernel"),
    ("tfConvTransposeToTorch", [{"input": 4, "kernel": 3, "stride": "2", "padding": "SAME", "output": 8}], "stride", "stride"),
    ("solveConvTranspose", [{"input": 0, "output": 8, "kernel": 3, "stride": 2}], "input", "input"),
    ("solveConvTranspose", [{"input": 4, "output": 8, "kernel": 3, "stride": 2, "dilation": 0}], "dilation", "dilation"),
    ("solveConvTranspose", [{"input": 4, "output": 8, "kernel": 20000, "stride": 2}], "kernel", "kernel"),
    ("portLayer", ["tf", {**TF, "oh": "12"}], "oh", "output"),
    ("portLayer", ["tf", {**TF, "k": "abc"}], "k", "kernel"),
    ("portLayer", ["tf", {**TF, "h": "-1"}], "h", "height"),
    ("portLayer", ["tf", {**TF, "d": "2"}], "d", "dilation"),
    ("portLayer", ["torch", {**TF, "p": "9", "op": "0"}], "p", "padding"),
    ("portLayer", ["torch", {**TF, "p": "0", "op": "2"}], "op", "output_padding"),
    ("portLayer", ["keras", {**TF, "rule": "same", "op": "2"}], "op", "output_padding"),
    ("portLayer", ["keras", {**TF, "k": "2", "s": "1", "rule": "same", "op": "0"}], "op", "output_padding"),
    ("portLayer", ["keras", {**TF, "d": "2", "rule": "valid", "op": ""}], "d", "dilation"),
    ("portLayer", ["jax", {**TF, "pad": "-1, 0"}], "pad", "padding"),
    ("portLayer", ["jax", {**TF, "pad": "1.5, 0"}], "pad", "padding"),
    ("portLayer", ["onnx", {**TF, "pb": "9", "pe": "9", "op": "0"}], "pb", "pads"),
    ("portLayer", ["onnx", {**TF, "pb": "0", "pe": "0", "op": "2"}], "op", "output_padding"),
    ("portLayer", ["caffe", TF], "source", "source"),
    ("mirrorDecoder", [{"input": ["1", "28", "28"], "layers": [{"type": "flatten", "values": []}]}], "encoder", "layer 1"),
    ("mirrorDecoder", [{"input": ["1", "4", "4"], "layers": [{"type": "conv_valid", "values": ["8", "5", "1"]}]}], "encoder", "kernel"),
    ("mirrorDecoder", [{"input": ["1", "x", "28"], "layers": [{"type": "pool_same", "values": ["2", "2"]}]}], "input", "height"),
]


def test_bad_input_names_the_field():
    results = node_calls([{"fn": fn, "args": args} for fn, args, _, _ in BAD_INPUTS])
    for (fn, args, field, word), result in zip(BAD_INPUTS, results):
        assert result.get("isError") and result["field"] == field and word in result["error"], (fn, args, result)
        assert "NaN" not in result["error"] or "NaN" in json.dumps(args)


# --- the page in Chromium ----------------------------------------------------------------------

@pytest.fixture
def port_page(visit):
    def open_page(query=""):
        page = visit(PAGE + query).page
        page.wait_for_selector("#port-tool[data-ready=true]")
        return page
    return open_page


def test_tool_is_in_the_first_screen_of_a_phone(port_page):
    page = port_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.evaluate("window.scrollTo(0, 0)")
    box = page.locator("#port-tool input, #port-tool select").first.bounding_box()
    assert box and box["y"] + box["height"] <= 844, box


FIELD_DRAWS = {
    "torch": lambda draw, s, d: {"p": draw(st.integers(0, 2)), "op": draw(st.integers(0, max(s, d) - 1))},
    "tf": lambda draw, s, d: {"rule": draw(st.sampled_from(["SAME", "VALID"]))},
    "keras": lambda draw, s, d: {"rule": draw(st.sampled_from(["same", "valid"])),
                                 "op": draw(st.sampled_from(["", *map(str, range(s))]))},
    "jax": lambda draw, s, d: {"pad": draw(st.sampled_from(["SAME", "VALID", "0, 0", "1, 2", "3, 0", "0, 4"]))},
    "onnx": lambda draw, s, d: {"pb": draw(st.integers(0, 3)), "pe": draw(st.integers(0, 3)), "op": draw(st.integers(0, s - 1))},
}


@st.composite
def page_settings(draw, source):
    s, d = draw(st.integers(1, 3)), 1 if source in ("tf", "keras") else draw(st.integers(1, 2))  # they reject d > 1
    fields = {"cin": draw(st.integers(1, 3)), "cout": draw(st.integers(1, 3)), "h": draw(st.integers(1, 7)),
              "w": draw(st.integers(1, 7)), "k": draw(st.integers(1, 4)), "s": s, "d": d, **FIELD_DRAWS[source](draw, s, d)}
    if source == "tf":  # mostly sizes TensorFlow accepts, now and then one it rejects
        for key, i in (("oh", fields["h"]), ("ow", fields["w"])):
            first = (i - 1) * s + (1 if fields["rule"] == "SAME" else fields["k"])
            fields[key] = max(1, first + draw(st.sampled_from([*range(s)] * 4 + [-1, s])))
    return {key: str(value) for key, value in fields.items()}


SET_FIELDS = """async ([source, fields]) => {
    const set = (el, value, event) => { el.value = value; el.dispatchEvent(new Event(event)); };
    set(document.querySelector('#port-src'), source, 'change');
    for (const [key, value] of Object.entries(fields)) {
        const el = document.querySelector('#port-' + key);
        set(el, value, el.tagName === 'SELECT' ? 'change' : 'input');
    }
    await new Promise((resolve) => setTimeout(resolve));  // the tool redraws once per burst of edits
    const invalid = [...document.querySelectorAll('#port-tool [aria-invalid=true]')].map(e => e.id);
    const messages = [...document.querySelectorAll('.port-field-message')].map(e => e.textContent).filter(Boolean);
    const snippets = Object.fromEntries([...document.querySelectorAll('[id^=port-snippet-]')]
        .map(e => [e.id.slice('port-snippet-'.length), e.textContent]));
    return {invalid, messages, snippets, url: location.search};
}"""


def test_fuzzed_settings_generate_checks_that_pass(port_page, run_python, record_property):
    page = port_page()
    cases = [(source, fields) for source in FRAMEWORKS for fields in distinct(drawn(page_settings(source), 60))]
    snippets, labels, invalid = [], [], 0
    for n, (source, fields) in enumerate(cases):
        shown = page.evaluate(SET_FIELDS, [source, fields])
        if shown["invalid"]:
            # A rejected setting: one field marked, its message beside it, no checks shown.
            assert len(shown["invalid"]) == 1 and len(shown["messages"]) == 1 and not shown["snippets"], shown
            invalid += 1
            continue
        assert set(shown["snippets"]) == set(FRAMEWORKS), shown
        # One target per setting, in turn, so every (source, target) pair runs within budget.
        target = FRAMEWORKS[n % len(FRAMEWORKS)]
        snippets.append(shown["snippets"][target])
        labels.append((source, target, fields))
    failed = [(label, error) for label, error in zip(labels, run_python(snippets)) if error]
    assert not failed, failed[:3]
    pairs = {(source, target) for source, target, _ in labels}
    assert len(cases) >= 200 and len(pairs) == 25 and len(snippets) >= 200
    record_property("summary", f"Port a layer (page): {len(cases)} fuzzed settings, {len(snippets)} generated checks "
                               f"pass with the real frameworks (all 25 source/target pairs), {invalid} rejected inline")


@pytest.mark.parametrize("field, value, word", [
    ("k", "abc", "kernel"), ("oh", "12", "output"), ("h", "0", "height"), ("d", "2", "dilation"),
])
def test_bad_input_shows_an_inline_message(port_page, field, value, word):
    page = port_page()
    page.fill(f"#port-{field}", value)
    assert page.get_attribute(f"#port-{field}", "aria-invalid") == "true"
    message = page.text_content(f"#port-{field}-message")
    assert word in message and "NaN" not in message
    assert "Fix the field" in page.text_content("#port-summary")
    assert page.locator("[id^=port-snippet-]").count() == 0


def test_solver_and_mirror_on_the_page(port_page):
    page = port_page("?si=7&so=14&sk=3&ss=2&sd=1")
    assert "padding=1, output_padding=1" in page.text_content("#solve-result")
    page.fill("#solve-sk", "4")
    page.fill("#solve-ss", "1")
    assert "Nearest reachable: 10" in page.text_content("#solve-result")
    page.fill("#solve-si", "x")
    assert page.get_attribute("#solve-si", "aria-invalid") == "true"
    assert "input size" in page.text_content("#solve-si-message")
    page.fill("#mirror-mnet", "conv2d:8,3,2,1,1;flatten")
    assert "layer 2" in page.text_content("#mirror-mnet-message")
    page.fill("#mirror-mnet", "conv_same:8,2,1;pool_same:2,2")
    assert "nn.ConvTranspose2d(8, 1, kernel_size=3" in page.text_content("#mirror-code")


def test_the_url_reproduces_the_tool(port_page):
    page = port_page()
    shown = page.evaluate(SET_FIELDS, ["onnx", {"h": "6", "w": "3", "k": "4", "s": "3", "d": "2", "pb": "2", "pe": "1", "op": "1"}])
    page.fill("#solve-so", "15")
    page.fill("#mirror-min", "3, 33, 17")
    query = page.evaluate("location.search")
    again = port_page(query)
    for selector in ("#port-src", "#port-h", "#port-k", "#port-pb", "#port-op", "#solve-so", "#mirror-min"):
        assert again.input_value(selector) == page.input_value(selector), selector
    for name in ("snippet-torch", "snippet-jax", "summary"):
        assert again.text_content(f"#port-{name}") == page.text_content(f"#port-{name}")
    assert again.text_content("#mirror-code") == page.text_content("#mirror-code")
    assert shown["snippets"]["tf"] == again.text_content("#port-snippet-tf")


if __name__ == "__main__":
    # The child of run_python: one JSON list of snippets per line in, one reply line out.
    for request in sys.stdin:
        errors = []
        for code in json.loads(request):
            try:
                exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__"})
                errors.append(None)
            except Exception as error:  # noqa: BLE001 - every failure is reported with its snippet
                errors.append(f"{type(error).__name__}: {str(error)[:1000]}")
        print(REPLY + json.dumps(errors), flush=True)
