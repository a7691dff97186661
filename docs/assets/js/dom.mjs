/** dom.mjs: the one DOM helper the explorer and the calculator share. */

/**
 * Create an element: element("td", {class: "cell", text: "3", "aria-label": "…"}, ...children).
 * `class` sets className, `text` sets textContent, any other key becomes an attribute.
 */
export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  node.append(...children);
  return node;
}
