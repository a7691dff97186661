// Typeset math at build time with the site's KaTeX (node_modules/katex), for hooks/katex_assets.py.
// stdin: a JSON list of {tex, display}; stdout: a JSON list of HTML strings, one per formula, in order.
// KaTeX writes HTML (what the reader sees) and MathML (what screen readers read, and what copying
// selects), so the browser needs only katex.min.css and its fonts: no math JavaScript.
// A formula KaTeX cannot parse fails the whole batch: exit status 1, and on stderr a JSON object
// {index, message} naming the first bad formula, which the hook reports with the page's name.
import { readFileSync } from "node:fs";
import katex from "katex";

const formulas = JSON.parse(readFileSync(0, "utf8"));
const html = [];
for (const [index, { tex, display }] of formulas.entries()) {
  try {
    html.push(katex.renderToString(tex, { displayMode: display, output: "htmlAndMathml", throwOnError: true }));
  } catch (error) {
    process.stderr.write(JSON.stringify({ index, message: String(error.message || error) }));
    process.exit(1);
  }
}
process.stdout.write(JSON.stringify(html));
