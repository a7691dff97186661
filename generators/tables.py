"""Markdown tables computed from snippets/ at build time, so no number in them is typed by hand."""
from snippets.shapes import RELATIONSHIPS, settings

LAYER_CALL = {
    "conv": "Conv2d(k, stride=s, padding=p, dilation=d)",
    "pool": "MaxPool2d(k, stride=s)",
    "transposed": "ConvTranspose2d(k, stride=s, padding=p, output_padding=a, dilation=d)",
}


def shape_relationships():
    rows = ["| # | case | relationship | example | PyTorch layer |", "|---|---|---|---|---|"]
    for r in RELATIONSHIPS:
        i, k, s, p, d, a = next(settings(r))
        prime = "'" if r.layer == "transposed" else ""
        example = f"i{prime}={i}, k={k}, s={s}, p={p}" + (f", d={d}" if d > 1 else "")
        example += (f", a={a}" if a else "") + f" → o{prime}={r.size(i, k, s, p, d, a)}"
        rows.append(f"| {r.number} | {r.case} | \\({r.formula}\\) | {example} | `{LAYER_CALL[r.layer]}` |")
    return "\n".join(rows)
