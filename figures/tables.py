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
