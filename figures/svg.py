"""Small helpers that write inline SVG as text, deterministically (same arguments, same bytes).

Colours are never written here: elements get classes (`cf-...`) that docs/assets/css/figures.css
colours for the light and the dark scheme. Text falls back to `currentColor`, so labels stay
readable even where that stylesheet is missing.
"""
import html
import re

FONT_SIZE = 13  # px, labels
CHAR_WIDTH = 7.4  # px, a generous estimate of one character at FONT_SIZE (for layout only)


def esc(text):
    """Text or attribute value, escaped for HTML and SVG."""
    return html.escape(str(text), quote=True)


def num(value):
    """A coordinate as short text: 12, 12.5, 12.25 (never 12.000000001)."""
    value = round(float(value), 2)
    return str(int(value)) if value == int(value) else f"{value:g}"


def text_width(text, size=FONT_SIZE):
    return len(str(text)) * CHAR_WIDTH * size / FONT_SIZE


def attrs(cls=None, **extra):
    """' class="a" x="1"' from keyword arguments; trailing underscores dropped, _ becomes -."""
    parts = [f' class="{esc(cls)}"'] if cls else []
    for key, value in extra.items():
        if value is None:
            continue
        key = key.rstrip("_").replace("_", "-")
        parts.append(f' {key}="{num(value) if isinstance(value, (int, float)) else esc(value)}"')
    return "".join(parts)


def rect(x, y, width, height, cls=None, **extra):
    return f'<rect x="{num(x)}" y="{num(y)}" width="{num(width)}" height="{num(height)}"{attrs(cls, **extra)}/>'


def text(x, y, content, cls=None, **extra):
    return f'<text x="{num(x)}" y="{num(y)}"{attrs(cls, **extra)}>{esc(content)}</text>'


def group(elements, cls=None, **extra):
    return f"<g{attrs(cls, **extra)}>" + "".join(elements) + "</g>"


def slug(*parts):
    """A deterministic id fragment from parameters: slug('conv', 5, 3) -> 'conv-5-3'."""
    return re.sub(r"[^a-z0-9]+", "-", "-".join(str(p) for p in parts).lower()).strip("-")


def svg(fig_id, width, height, title, desc, body, cls="cf-svg", defs=""):
    """An accessible inline <svg>: role img, named by its <title> and described by its <desc>."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{esc(cls)}" viewBox="0 0 {num(width)} {num(height)}" '
        f'width="{num(width)}" height="{num(height)}" role="img" '
        f'aria-labelledby="{fig_id}-title {fig_id}-desc" font-size="{FONT_SIZE}" fill="currentColor">'
        f'<title id="{fig_id}-title">{esc(title)}</title><desc id="{fig_id}-desc">{esc(desc)}</desc>'
        + (f"<defs>{defs}</defs>" if defs else "")
        + body
        + "</svg>"
    )


def figure(fig_id, svg_text, caption_html, cls="cf", extra_html="", data=None):
    """A <figure> holding the SVG, optional controls and a <figcaption>, on one line: Markdown
    passes it through as one raw HTML block (a blank line would end the block)."""
    data_attrs = "".join(f' data-{key}="{esc(value)}"' for key, value in (data or {}).items())
    return (
        f'<figure class="{esc(cls)}" id="{fig_id}"{data_attrs}>'
        f"{svg_text}{extra_html}<figcaption>{caption_html}</figcaption></figure>"
    )
