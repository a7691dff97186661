"""Markdown tables computed from snippets/ at build time, so no number in them is typed by hand."""
from snippets.shapes import RELATIONSHIPS, settings


def shape_relationships():
    rows = ["| # | case | relationship | example |", "|---|---|---|---|"]
    for r in RELATIONSHIPS:
        i, k, s, p, d, a = next(settings(r))
        q = "'" if r.layer == "transposed" else ""  # primes: the transposed convolution's own arguments
        example = f"i{q}={i}, k{q}={k}, s{q}={s}, p{q}={p}" + (f", d{q}={d}" if d > 1 else "")
        example += (f", a={a}" if a else "") + f" → o{q}={r.size(i, k, s, p, d, a)}"
        rows.append(f"| {r.number} | {r.case} | \\({r.formula}\\) | {example} |")
    return "\n".join(rows)


def framework_translations(frameworks=None):
    """The translation table of docs/frameworks/transposed.md (every cell is run by the tests)."""
    from snippets.frameworks import translation_table_markdown

    return translation_table_markdown(tuple(frameworks)) if frameworks else translation_table_markdown()


def resize_calls():
    """The resize matrix of docs/frameworks/resizing.md (every cell is run by the tests)."""
    from snippets.resizing import resize_table_markdown

    return resize_table_markdown()
