"""generators/fold_setup.py: which blocks get a fold marker (Markdown step), and what the fold
looks like in HTML rendered with the site's own Markdown settings (HTML step). The browser side
(toggle, copy button) is tested in test_browser.py."""
import textwrap
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from mkdocs.config import load_config

from generators.fold_setup import MARKER_PREFIX, SETUP_SECTIONS, fold_html, fold_markdown
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
        "# ⋯ setup (the copy button copies it too): imports and argument checks from shapes.py, conv_numpy.py"]
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
        "    # ⋯ setup (the copy button copies it too): imports from conv_numpy.py, transposed_views.py",
        "    # ⋯ setup (the copy button copies it too): argument checks from shapes.py"]
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
    assert lines[2].startswith(MARKER_PREFIX) and lines[2].endswith("argument checks from shapes.py")
    assert lines[3:5] == source.splitlines()[2:4]  # the later imports include stays unfolded


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
        assert f"{lines.get_text().count(chr(10))} setup lines" in toggle["title"]
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
