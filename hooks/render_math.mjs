// Typeset math at build time with the site's KaTeX (node_modules/katex), for hooks/typeset_math.py.
// stdin: a JSON list of {tex, display}; stdout: a JSON list of HTML strings, one per formula, in order.
// KaTeX writes MathML, which browsers draw natively and screen readers read: the browser needs no
// math JavaScript, stylesheet or font.
// A formula KaTeX cannot parse fails the whole batch: exit status 1, and on stderr a JSON object
// {index, message} naming the first bad formula, which the hook reports with the page's name.
import { readFileSync } from "node:fs";
import katex from "katex";

const formulas = JSON.parse(readFileSync(0, "utf8"));
const html = [];
for (const [index, { tex, display }] of formulas.entries()) {
  try {
    html.push(katex.renderToString(tex, { displayMode: display, output: "mathml", throwOnError: true }));
  } catch (error) {
    process.stderr.write(JSON.stringify({ index, message: String(error.message || error) }));
    process.exit(1);
  }
}
process.stdout.write(JSON.stringify(html));
