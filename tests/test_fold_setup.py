"""generators/fold_setup.py: which blocks get a fold marker (Markdown step), and what the fold
looks like in HTML rendered with the site's own Markdown settings (HTML step). The browser side
(toggle, copy button) is tested in test_browser.py."""
import textwrap
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from mkdocs.config import load_config

from generators.fold_setup import MARKER_PREFIX, SETUP_SECTIONS, defined_names, fold_html, fold_markdown
from tests.codeblocks import run_standalone

ROOT = Path(__file__).resolve().parents[1]


def md(text):
    return textwrap.dedent(text).lstrip("\n")


def markers(text):
    return [line for line in text.splitlines() if MARKER_PREFIX in line]


def test_setup_sections_are_the_documented_ones():
    assert list(SETUP_SECTIONS) == ["imports", "check", "check_args"]  # as CONTRIBUTING.md says


def test_top_level_fence_gets_one_marker_after_the_setup_run():
    source = md('''
        Text.

        ```python
        --8<-- "snippets/shapes.py:check"
        --8<-- "snippets/conv_numpy.py:imports"
        --8<-- "snippets/conv_numpy.py:check_args"
        --8<-- "snippets/conv_numpy.py:conv2d"

        y = conv2d(x, w)
        ```
        ''')
    lines = fold_markdown(source).splitlines()
    assert lines[3:7] == source.splitlines()[3:6] + [
        "# ⋯ setup: imports, checks"]
    assert lines[7] == '--8<-- "snippets/conv_numpy.py:conv2d"'
    assert len(lines) == len(source.splitlines()) + 1


def test_fences_indented_in_tabs_and_admonitions_keep_their_indent():
    source = md('''
        === "NumPy"

            ```python
            --8<-- "snippets/conv_numpy.py:imports"
            --8<-- "snippets/transposed_views.py:imports"

            x = np.zeros(3)
            ```

        !!! note

            ```python
            --8<-- "snippets/shapes.py:check"
            print(check_int("k", 3, 1))
            ```
        ''')
    folded = fold_markdown(source)
    assert markers(folded) == [
        "    # ⋯ setup: imports",
        "    # ⋯ setup: checks"]
    lines = folded.splitlines()
    assert lines[lines.index(markers(folded)[0]) - 1].endswith('transposed_views.py:imports"')
    assert lines[lines.index(markers(folded)[1]) + 1] == '    print(check_int("k", 3, 1))'


@pytest.mark.parametrize("body", [
    # nothing after the setup: the block is the setup
    '--8<-- "snippets/shapes.py:check"\n--8<-- "snippets/conv_numpy.py:imports"\n\n',
    # no leading setup include
    'import numpy as np\n--8<-- "snippets/shapes.py:check"\nx = 1\n',
    # the first include is not a setup section
    '--8<-- "snippets/shapes.py:conv_output_size"\n--8<-- "snippets/shapes.py:check"\nx = 1\n',
    # a blank line first: not a leading run
    '\n--8<-- "snippets/shapes.py:check"\nx = 1\n',
    # a continuation block
    '# continues the block above\nprint(y)\n',
    # a whole-file include has no section
    '--8<-- "snippets/shapes.py"\nx = 1\n',
], ids=["only-setup", "code-first", "non-setup-first", "blank-first", "continuation", "whole-file"])
def test_no_marker(body):
    source = "```python\n" + body + "```\n"
    assert fold_markdown(source) == source


def test_run_stops_at_the_first_non_setup_include():
    source = md('''
        ```python
        --8<-- "snippets/shapes.py:check"
        --8<-- "snippets/shapes.py:conv_output_size"
        --8<-- "snippets/conv_numpy.py:imports"
        x = 1
        ```
        ''')
    lines = fold_markdown(source).splitlines()
    assert lines[2] == "# ⋯ setup: checks"
    assert lines[3:5] == source.splitlines()[2:4]  # the later imports include stays unfolded


# --- sections shown in an earlier block of the page ---------------------------------------------

FIRST = md('''
    ```python
    --8<-- "snippets/shapes.py:check"
    --8<-- "snippets/conv_numpy.py:imports"
    --8<-- "snippets/conv_numpy.py:check_args"
    --8<-- "snippets/conv_numpy.py:conv2d"
    --8<-- "snippets/conv_numpy.py:im2col"

    y = conv2d(x, w)
    ```
    ''')


def test_a_section_shown_in_an_earlier_block_is_folded_in_a_later_one():
    second = md('''
        ```python
        --8<-- "snippets/shapes.py:check"
        --8<-- "snippets/conv_numpy.py:imports"
        --8<-- "snippets/conv_numpy.py:check_args"
        --8<-- "snippets/conv_numpy.py:conv2d"
        --8<-- "snippets/conv_numpy.py:im2col"
        --8<-- "snippets/conv_numpy.py:conv_transpose2d"

        z = conv_transpose2d(y, w)
        ```
        ''')
    folded = fold_markdown(FIRST + "\n" + second)
    first, later = markers(folded)
    # block 1 shows conv2d and im2col: only its setup is folded
    assert first == f"{MARKER_PREFIX} imports, checks"
    lines = folded.splitlines()
    assert lines[lines.index(first) + 1] == '--8<-- "snippets/conv_numpy.py:conv2d"'
    # block 2 folds them too, names what they define first, and shows the new section
    assert later == f"{MARKER_PREFIX} conv2d, im2col (above); imports, checks"
    assert lines[lines.index(later) - 1] == '--8<-- "snippets/conv_numpy.py:im2col"'
    assert lines[lines.index(later) + 1] == '--8<-- "snippets/conv_numpy.py:conv_transpose2d"'
    # the marker is the only line added: the block still holds every include, in order
    assert [line for line in lines if line not in (first, later)] == (FIRST + "\n" + second).splitlines()


def test_the_first_new_section_ends_the_run_even_if_shown_ones_follow():
    second = md('''
        ```python
        --8<-- "snippets/conv_numpy.py:imports"
        --8<-- "snippets/conv_numpy.py:conv2d"
        --8<-- "snippets/conv_numpy.py:conv_transpose2d"
        --8<-- "snippets/conv_numpy.py:im2col"
        --8<-- "snippets/shapes.py:check"
        x = 1
        ```
        ''')
    folded = fold_markdown(FIRST + "\n" + second)
    later = markers(folded)[1]
    assert later == f"{MARKER_PREFIX} conv2d (above); imports"
    lines = folded.splitlines()
    assert lines[lines.index(later) + 1:lines.index(later) + 4] == [
        '--8<-- "snippets/conv_numpy.py:conv_transpose2d"', '--8<-- "snippets/conv_numpy.py:im2col"',
        '--8<-- "snippets/shapes.py:check"']  # shown or setup, but after the new code: visible


def test_a_run_of_shown_sections_alone_is_folded_and_names_them():
    second = '```python\n--8<-- "snippets/conv_numpy.py:im2col"\n--8<-- "snippets/conv_numpy.py:conv2d"\nx = 1\n```\n'
    assert markers(fold_markdown(FIRST + "\n" + second))[1] == f"{MARKER_PREFIX} im2col, conv2d (above)"


@pytest.mark.parametrize("second", [
    # the block only repeats what was shown: nothing would be left to see
    '```python\n--8<-- "snippets/conv_numpy.py:conv2d"\n\n```\n',
    # the same section name in another file is other code
    '```python\n--8<-- "snippets/other.py:conv2d"\nx = 1\n```\n',
    # a section shown only in a ```text fence (or a fence that is not Python) was not run or shown as code
    '```python\n--8<-- "snippets/text_only.py:helper"\nx = 1\n```\n',
], ids=["nothing-after", "other-file", "shown-as-text"])
def test_no_shown_above_fold(second):
    earlier = FIRST + "\n```text\n--8<-- \"snippets/text_only.py:helper\"\n```\n\n"
    folded = fold_markdown(earlier + second)
    assert len(markers(folded)) == 1  # block 1's setup only
    assert folded.endswith(second)


def test_a_later_section_is_not_folded_in_an_earlier_block():
    """Order matters: a section is "shown above" only once a block above has included it."""
    other = '```python\n--8<-- "snippets/conv_numpy.py:imports"\n--8<-- "snippets/conv_numpy.py:im2col"\nx = 1\n```\n'
    # im2col first shown by `other`: FIRST, below it, folds its setup only (its run ends at conv2d)
    assert markers(fold_markdown(other + "\n" + FIRST)) == [
        f"{MARKER_PREFIX} imports", f"{MARKER_PREFIX} imports, checks"]
    # FIRST above `other`: `other` folds im2col
    assert markers(fold_markdown(FIRST + "\n" + other)) == [
        f"{MARKER_PREFIX} imports, checks", f"{MARKER_PREFIX} im2col (above); imports"]


def test_a_numpy_tab_does_not_count_for_its_pytorch_tab_but_for_later_blocks():
    """A reader on the (linked) PyTorch tab never saw the NumPy tab: includes of one tab of a set
    count for later blocks of the same tab and for blocks after the set, not for its other tabs."""
    source = md('''
        === "NumPy"

            ```python
            --8<-- "snippets/conv_numpy.py:imports"
            --8<-- "snippets/conv_numpy.py:conv2d"

            y = conv2d(x, w)
            ```

            Text in the same tab.

            ```python
            --8<-- "snippets/conv_numpy.py:imports"
            --8<-- "snippets/conv_numpy.py:conv2d"
            z = 1
            ```

        === "PyTorch"

            ```python
            --8<-- "snippets/conv_numpy.py:imports"
            --8<-- "snippets/conv_numpy.py:conv2d"

            import torch
            ```

        ```python
        --8<-- "snippets/conv_numpy.py:conv2d"
        --8<-- "snippets/conv_numpy.py:conv_transpose2d"
        x = 1
        ```
        ''')
    folded = fold_markdown(source)
    assert markers(folded) == [
        f"    {MARKER_PREFIX} imports",
        f"    {MARKER_PREFIX} conv2d (above); imports",  # later in the same tab
        f"    {MARKER_PREFIX} imports",  # the PyTorch tab: conv2d stays in view
        f"{MARKER_PREFIX} conv2d (above)"]  # after the tab set: both tabs showed it
    lines = folded.splitlines()
    pytorch = lines.index(markers(folded)[2])
    assert lines[pytorch + 1] == '    --8<-- "snippets/conv_numpy.py:conv2d"'


def test_tab_sets_nested_new_and_ended():
    """`===!` starts a new set; a line at the tabs' indent ends a set; a nested set's tabs only
    exclude each other, and the tab around them counts for both."""
    block = lambda indent, *sections: "\n".join(  # noqa: E731
        [indent + "```python"] + [f'{indent}--8<-- "snippets/conv_numpy.py:{s}"' for s in sections]
        + [indent + "x = 1", indent + "```", ""])
    source = "\n".join([
        '=== "A"', "", block("    ", "imports", "conv2d"),
        '===! "B"', "", block("    ", "conv2d", "im2col"),  # a new set: A counts
        "Text ends the set.", "",
        '=== "C"', "", block("    ", "im2col", "conv_transpose2d"),  # after B's set: im2col counts
        '=== "D"', "",
        '    === "D1"', "", block("        ", "conv_transpose2d", "conv2d_matrix"),  # C is another tab
        '    === "D2"', "", block("        ", "conv2d_matrix", "conv2d"),  # D1 is another tab
        "    Text in D.", "", block("    ", "conv2d_matrix", "conv2d", "conv_transpose2d", "imports"),
    ])
    assert markers(fold_markdown(source)) == [
        f"    {MARKER_PREFIX} imports",
        f"    {MARKER_PREFIX} conv2d (above)",
        f"    {MARKER_PREFIX} im2col (above)",
        # D1: C's conv_transpose2d unseen, so nothing to fold; D2: D1's conv2d_matrix unseen
        # in D after its nested set: D1 and D2 count (C's conv_transpose2d did not, D1's does)
        f"    {MARKER_PREFIX} conv2d_matrix, conv2d, conv_transpose2d (above); imports",
    ]


def test_each_page_starts_with_nothing_shown():
    fold_markdown(FIRST)
    assert markers(fold_markdown(FIRST)) == [f"{MARKER_PREFIX} imports, checks"]


def snippet(tmp_path, text):
    path = tmp_path / "snippet.py"
    path.write_text(md(text))
    return str(path)  # absolute: the hook reads include paths relative to the repository


def test_defined_names_are_what_the_section_defines(tmp_path):
    path = snippet(tmp_path, '''
        # --8<-- [start:helpers]
        import numpy as np
        SCALE = 2
        a, (b, *c) = 1, (2, 3)
        d: int = 4
        e: int
        class Stamp:
            size = 3
        # --8<-- [start:inner]
        def stamp(x):
            y = x
            return y
        # --8<-- [end:inner]
        if SCALE:
            hidden = 1
        for j in range(2):
            pass
        print(SCALE)
        # --8<-- [end:helpers]
        # --8<-- [start:statements]
        print(1)
        # --8<-- [end:statements]
        # --8<-- [start:broken]
        def (
        # --8<-- [end:broken]
        ''')
    assert defined_names(path, "helpers") == ["SCALE", "a", "b", "c", "d", "e", "Stamp", "stamp"]
    assert defined_names(path, "inner") == ["stamp"]
    assert defined_names(path, "statements") == []
    assert defined_names(path, "broken") == ["broken"]  # cannot parse: the section's name
    assert defined_names(path, "missing") == ["missing"]
    assert defined_names(str(tmp_path / "nowhere.py"), "helpers") == ["helpers"]
    assert defined_names("snippets/conv_numpy.py", "conv2d") == ["conv2d"]  # relative to the repository
    assert defined_names("snippets/conv_numpy.py", "imports") == []


def test_marker_names_what_the_folded_code_defines_and_stays_short(tmp_path):
    path = snippet(tmp_path, '''
        # --8<-- [start:one]
        def bilinear_kernel(f):
            return f
        def bilinear_padding(f):
            return f
        # --8<-- [end:one]
        # --8<-- [start:many]
        a = b = c = d = e = 1
        # --8<-- [end:many]
        # --8<-- [start:long]
        def a_rather_long_helper_name():
            pass
        def another_rather_long_helper_name():
            pass
        def third():
            pass
        # --8<-- [end:long]
        # --8<-- [start:statements]
        print(1)
        # --8<-- [end:statements]
        ''')
    def later(*sections):
        includes = "".join(f'--8<-- "{path}:{s}"\n' for s in sections)
        source = f"```python\n{includes}x = 1\n```\n\n```python\n--8<-- \"snippets/shapes.py:check\"\n{includes}y = 2\n```\n"
        return markers(fold_markdown(source))[-1]

    assert later("one") == f"{MARKER_PREFIX} bilinear_kernel, bilinear_padding (above); checks"
    assert later("many") == f"{MARKER_PREFIX} a, b, c, d +1 more (above); checks"  # at most 4 names
    assert later("long") == f"{MARKER_PREFIX} a_rather_long_helper_name +2 more (above); checks"  # ~40 characters
    assert later("statements") == f"{MARKER_PREFIX} code (above); checks"
    assert later("one", "one") == later("one")  # each name once
    for marker in map(later, ["one", "many", "long", "statements"]):
        assert len(marker) <= 85


@pytest.mark.parametrize("fence", ["```text", "```console", "```py", "```", "~~~text"])
def test_other_fences_are_untouched(fence):
    close = fence[:3]
    source = f'{fence}\n--8<-- "snippets/shapes.py:check"\nx = 1\n{close}\n'
    assert fold_markdown(source) == source


def test_a_python_fence_shown_inside_a_longer_fence_is_text():
    source = md('''
        ````markdown
        ```python
        --8<-- "snippets/shapes.py:check"
        x = 1
        ```
        ````

        ~~~python
        --8<-- "snippets/shapes.py:check"
        x = 1
        ~~~
        ''')
    folded = fold_markdown(source)
    assert len(markers(folded)) == 1  # only the ~~~ fence, after the ```` one closed
    assert folded.splitlines().index(markers(folded)[0]) == 9


def test_marker_is_a_comment_and_running_the_block_ignores_it():
    source = '```python\n--8<-- "snippets/shapes.py:check"\nx = 1\n```\n'
    (marker,) = markers(fold_markdown(source))
    compile(marker + "\n", "<marker>", "exec")  # valid Python
    assert marker.startswith("# ")


# --- the HTML step, on HTML rendered with the site's Markdown settings ------------------------

SAMPLE = md('''
    === "NumPy"

        ```python
        --8<-- "snippets/shapes.py:check"
        --8<-- "snippets/shapes.py:conv_output_size"

        print(conv_output_size(28, 2, s=2))
        #> 14
        ```

    ```python
    --8<-- "snippets/shapes.py:check"
    --8<-- "snippets/conv_numpy.py:imports"
    --8<-- "snippets/conv_numpy.py:check_args"
    --8<-- "snippets/conv_numpy.py:conv2d"

    x = np.arange(16.0).reshape(1, 1, 4, 4)
    print(conv2d(x, np.ones((1, 1, 3, 3))).shape)
    #> (1, 1, 2, 2)
    ```

    ```python
    print("no setup here")
    ```
    ''')


@pytest.fixture(scope="module")
def rendered():
    """(HTML without folding, HTML with folding) of SAMPLE, as the site renders it."""
    config = load_config(str(ROOT / "mkdocs.yml"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)  # snippet paths are relative to the repository
        render = lambda text: markdown.Markdown(  # noqa: E731
            extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"]).convert(text)
        return render(SAMPLE), fold_html(render(fold_markdown(SAMPLE)))


def codes(page_html):
    return BeautifulSoup(page_html, "html.parser").select("pre > code")


def test_html_folds_the_lines_above_the_marker(rendered):
    _, folded = rendered
    blocks = codes(folded)
    assert len(blocks) == 3
    ids = []
    for code in blocks[:2]:
        # Material lays out a code element with span[id] children as a grid of lines: none here.
        assert not code.select(":scope > span[id]")
        (fold,) = code.select(":scope > span.fold-setup")
        lines, toggle = fold.contents
        assert lines["class"] == ["fold-setup__lines"] and lines.has_attr("hidden")
        assert toggle.get_text().startswith(MARKER_PREFIX)
        assert toggle["role"] == "button" and toggle["tabindex"] == "0"
        assert toggle["aria-expanded"] == "false" and toggle["aria-controls"] == lines["id"]
        assert toggle["title"] == (f"Show or hide the {lines.get_text().count(chr(10))} setup lines"
                                   " (click, Enter or Space); the copy button copies them too")
        assert lines.get_text().startswith("import math")  # shapes.py:check starts the block
        assert "def check_output" in lines.get_text()
        ids.append(lines["id"])
        # everything after the marker is visible: the block's own code
        assert "print(" in code.get_text().split(toggle.get_text(), 1)[1]
    assert len(set(ids)) == 2  # unique on the page
    assert not blocks[2].select(".fold-setup")


def test_html_text_is_the_unfolded_text_plus_the_marker_lines(rendered):
    plain, folded = rendered
    for before, after in zip(codes(plain), codes(folded)):
        kept = [line for line in after.get_text().splitlines() if not line.startswith(MARKER_PREFIX)]
        assert kept == before.get_text().splitlines()


def test_html_blocks_run_as_rendered(rendered, tmp_path):
    _, folded = rendered
    for code in codes(folded)[:2]:
        result = run_standalone(code.get_text(), tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() in {"14", "(1, 1, 2, 2)"}


def test_html_without_markers_is_unchanged(rendered):
    plain, _ = rendered
    assert fold_html(plain) == plain


def test_html_block_folding_sections_shown_above_runs_as_rendered(tmp_path):
    source = md('''
        ```python
        --8<-- "snippets/shapes.py:check"
        --8<-- "snippets/conv_numpy.py:imports"
        --8<-- "snippets/conv_numpy.py:check_args"
        --8<-- "snippets/conv_numpy.py:conv2d"

        print(conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))).shape)
        ```

        ```python
        --8<-- "snippets/shapes.py:check"
        --8<-- "snippets/conv_numpy.py:imports"
        --8<-- "snippets/conv_numpy.py:check_args"
        --8<-- "snippets/conv_numpy.py:conv2d"
        --8<-- "snippets/conv_numpy.py:conv_transpose2d"

        print(conv_transpose2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 2, 2))).shape)
        ```
        ''')
    config = load_config(str(ROOT / "mkdocs.yml"))
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        page = markdown.Markdown(extensions=config["markdown_extensions"],
                                 extension_configs=config["mdx_configs"]).convert(fold_markdown(source))
    first, second = codes(fold_html(page))
    assert "def conv2d" not in first.select_one(".fold-setup__lines").get_text()  # shown in block 1
    folded = second.select_one(".fold-setup__lines").get_text()
    # the toggle names what the folded lines define: the reader finds each name in them
    assert second.select_one(".fold-setup__toggle").get_text() == f"{MARKER_PREFIX} conv2d (above); imports, checks"
    assert "def conv2d" in folded and "def conv_transpose2d" not in folded  # folded in block 2
    visible = second.get_text().split(second.select_one(".fold-setup__toggle").get_text(), 1)[1]
    assert visible.lstrip().startswith("def conv_transpose2d")
    outputs = []
    for code in (first, second):
        result = run_standalone(code.get_text(), tmp_path)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout.strip())
    assert outputs == ["(1, 1, 2, 2)", "(1, 1, 3, 3)"]
