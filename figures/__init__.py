"""Everything a page may generate at build time, drawn from the reference code in snippets/.

A page line `<!-- generated: NAME(param=value, ...) -->` is replaced by what REGISTRY[NAME]
returns (hooks/generated_content.py): an accessible inline SVG figure or a Markdown table. Only
the names below can be called from a page.
"""
from figures import drawings, tables

REGISTRY = {
    "figures.conv_diagram": drawings.conv_diagram,
    "figures.transposed_diagram": drawings.transposed_diagram,
    "figures.stamps_diagram": drawings.stamps_diagram,
    "figures.overlap_map": drawings.overlap_map,
    "figures.resize_conv_map": drawings.resize_conv_map,
    "figures.animation": drawings.animation,
    "tables.shape_relationships": tables.shape_relationships,
}
