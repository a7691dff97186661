"""hooks/blocks.py and hooks/compose_blocks.py: how a page's block is composed from the sections
it names, how its setup is folded in HTML, and that every snippet section stands on its own and
is used. The browser side (toggle, copy button) is tested in test_browser.py."""
import re
import textwrap
from pathlib import Path

import markdown
import pytest
from bs4 import BeautifulSoup
from mkdocs.config import load_config

from hooks.blocks import (MARKER_PREFIX, BlockError, compose_page, names_of, page_sources, run_code,
                          snippet_index, standalone_code)
from hooks.compose_blocks import fold_html

ROOT = Path(__file__).resolve().parents[1]


def md(text):
    return textwrap.dedent(text).lstrip("\n")


def test_names_of_finds_free_and_defined_names():
    defined, used = names_of("import numpy as np\ndef f(a):\n    return np.ones(a) + g(b)\n"
                             "x = [y for y in range(3) if t]\nprint(x, z)\n")
    assert defined == {"np", "f", "x"}
    assert used == {"g", "b", "t", "z"}  # builtins (range, print) are not needed from anywhere


def test_a_block_names_one_section_and_gets_what_it_needs_first():
    page, (block,) = compose_page("p.md", md('''
        ```python
        --8<-- "snippets/conv_numpy.py:conv2d"

        print(conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))).shape)
        ```
        '''))
    code = block.code
    marker = next(line for line in block.lines if line.startswith(MARKER_PREFIX))
    before, after = code.split(marker)
    # dependencies first: numpy, then shapes.py's check_int, then the argument checks conv2d calls
    assert before.index("import numpy as np") < before.index("def check_int") < before.index("def check_conv2d_args")
    assert after.lstrip().startswith("def conv2d(")
    assert marker.endswith("; imports") and "check_int" in marker
    assert [s.key for s in block.named] == ["snippets/conv_numpy.py:conv2d"]
    assert "--8<--" not in page
    run = run_code(code, "composed")
    assert run.error is None and run.stdout == "(1, 1, 2, 2)\n"


def test_fences_in_tabs_keep_their_indent_and_other_fences_stay():
    source = md('''
        === "NumPy"

            ```python
            x = np.zeros(3)
            ```

        ```text
        --8<-- "snippets/conv_numpy.py:conv2d"
        ```
        ''')
    page, (block,) = compose_page("p.md", source)
    lines = page.splitlines()
    assert lines[2] == "    ```python" and lines[3] == "    import numpy as np"
    assert all(line.startswith("    ") or not line for line in lines[3:lines.index("    ```", 3)])
    assert page.endswith('```text\n--8<-- "snippets/conv_numpy.py:conv2d"\n```\n')


def test_a_continuation_needs_only_what_its_chain_lacks():
    _, (first, second) = compose_page("p.md", md('''
        ```python
        x = np.ones(2)
        ```

        <!--pytest-codeblocks:cont-->
        ```python
        # continues the block above
        print(conv_output_size(len(x), 1))
        ```
        '''))
    assert second.continues and second.lines[0] == "# continues the block above"
    assert "import numpy" not in second.code and "def conv_output_size" in second.code


@pytest.mark.parametrize("body, message", [
    ("print(no_such_name)", "uses 'no_such_name', which neither the block nor any snippet section defines"),
    ('--8<-- "snippets/shapes.py:nothing"', "includes snippets/shapes.py:nothing, which no snippet file has"),
    ("print(errors)", "'errors' is defined by snippets/deconvolution.py:"),
])
def test_a_block_that_cannot_be_composed_names_page_block_and_reason(body, message):
    with pytest.raises(BlockError, match=re.escape(f"p.md#1: {message}")):
        compose_page("p.md", f"```python\n{body}\n```\n")


def test_an_example_section_shown_above_settles_a_name_examples_share():
    _, blocks = compose_page("p.md", md('''
        ```python
        --8<-- "snippets/deconvolution.py:experiment_wiener"
        ```

        ```python
        print(sorted(errors))
        ```
        '''))
    assert blocks[1].folded[-1].key == "snippets/deconvolution.py:experiment_wiener"


@pytest.fixture(scope="module")
def rendered():
    source = md('''
        ```python
        --8<-- "snippets/shapes.py:conv_output_size"

        print(conv_output_size(28, 2, s=2))
        ```

        ```python
        print(1 + 1)
        ```
        ''')
    config = load_config(str(ROOT / "mkdocs.yml"))
    html = markdown.Markdown(extensions=config["markdown_extensions"],
                             extension_configs=config["mdx_configs"]).convert(compose_page("p.md", source)[0])
    return html, fold_html(html)


def codes(html):
    return BeautifulSoup(html, "html.parser").select("pre > code")


def test_html_folds_the_setup_into_one_plain_text_node(rendered):
    plain, folded = rendered
    first, second = codes(folded)
    assert not first.select(":scope > span[id]")  # Material would lay span[id] children out as a grid
    (fold,) = first.select(":scope > span.fold-setup")
    lines, toggle = fold.contents
    assert lines["class"] == ["fold-setup__lines"] and lines.has_attr("hidden")
    assert len(lines.contents) == 1 and isinstance(lines.contents[0], str)  # no highlighting spans
    assert lines.get_text().startswith("import math") and "def check_output" in lines.get_text()
    assert toggle.get_text().startswith(MARKER_PREFIX)
    assert toggle["role"] == "button" and toggle["tabindex"] == "0"
    assert toggle["aria-expanded"] == "false" and toggle["aria-controls"] == lines["id"]
    assert toggle["title"] == (f"Show or hide the {lines.get_text().count(chr(10))} setup lines"
                               " (click, Enter or Space); the copy button copies them too")
    assert first.get_text() == codes(plain)[0].get_text()  # the text a reader copies is unchanged
    assert not second.select(".fold-setup")


SECTIONS = [s for s in snippet_index().sections.values() if s.top_level]


@pytest.mark.parametrize("key", [s.key for s in SECTIONS])
def test_every_section_runs_when_a_block_names_it_alone(key):
    exec(compile(standalone_code(key), key, "exec"), {"__name__": "standalone"})


def test_every_section_is_used_by_a_page_or_a_test():
    """Examples (`if __name__ == "__main__":`) run in test_snippet_scripts.py; every other
    section is on a page, or tested, or drawn."""
    used = {s.key for page, path in page_sources()
            for block in compose_page(page, path.read_text(encoding="utf-8"))[1]
            for s in block.named + block.folded}
    tests = "\n".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "tests").glob("*.py"))
                      if path.name != "test_blocks.py")
    figures = "\n".join(path.read_text(encoding="utf-8") for path in sorted((ROOT / "figures").glob("*.py")))
    unused = [s.key for s in SECTIONS if s.key not in used
              and not any(re.search(rf"\b{re.escape(name)}\b", tests + figures) for name in s.defines)]
    assert not unused, "sections no page shows and no test or figure uses (delete them):\n" + "\n".join(unused)


def test_make_outputs_restores_a_corrupted_output_line_and_then_changes_nothing():
    from hooks.outputs import regenerate

    page = md('''
        === "NumPy"

            ```python
            x = np.arange(3)
            print(x)
            #> [0 1 9]
            y = x * 2
            print(y.sum())
            print("done")
            ```
        ''')
    fixed = regenerate("p.md", page)
    assert fixed.splitlines()[4:10] == ["    print(x)", "    #> [0 1 2]", "    y = x * 2",
                                       "    print(y.sum())", '    print("done")', "    #> 6"]
    assert fixed.splitlines()[10] == "    #> done"
    assert regenerate("p.md", fixed) == fixed


def test_every_name_has_one_defining_section():
    """A block's needs are found by name: two top-level sections may both define a name only by
    importing it."""
    clashes = [f"{name}: {', '.join(s.key for s in found)}" for name, found in snippet_index().definers.items()
               if len(found) > 1 and not all(name in s.imported for s in found)]
    assert not clashes, "rename one of each:\n" + "\n".join(clashes)
