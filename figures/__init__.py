"""Everything a page may generate at build time, drawn from the reference code in snippets/.

A page line `<!-- generated: NAME(param=value, ...) -->` is replaced by what REGISTRY[NAME]
returns (hooks/generated_content.py): an accessible inline SVG figure or a Markdown table. Only
the names below can be called from a page.
"""
from figures import drawings, signals, tables

REGISTRY = {
    "figures.conv_diagram": drawings.conv_diagram,
    "figures.transposed_diagram": drawings.transposed_diagram,
    "figures.stamps_diagram": drawings.stamps_diagram,
    "figures.overlap_map": drawings.overlap_map,
    "figures.resize_conv_map": drawings.resize_conv_map,
    "figures.animation": drawings.animation,
    "figures.same_crop_diagram": signals.same_crop_diagram,
    "figures.tent_diagram": signals.tent_diagram,
    "figures.upsample_filter_diagram": signals.upsample_filter_diagram,
    "figures.deblur_diagram": signals.deblur_diagram,
    "figures.transfer_diagram": signals.transfer_diagram,
    "tables.shape_relationships": tables.shape_relationships,
    "tables.framework_translations": tables.framework_translations,
    "tables.resize_calls": tables.resize_calls,
}
