// Typeset math with the KaTeX copy served by this site (no CDN).
// Markdown pages carry arithmatex's \( \) and \[ \]; notebook cells carry $ and $$.
document.addEventListener("DOMContentLoaded", () => {
  const display = [
    { left: "\\[", right: "\\]", display: true },
    { left: "\\(", right: "\\)", display: false },
  ];
  const options = { throwOnError: false, ignoredClasses: ["highlight", "highlighttable"] };
  for (const el of document.querySelectorAll(".arithmatex")) {
    renderMathInElement(el, { ...options, delimiters: display });
  }
  const dollars = [
    { left: "$$", right: "$$", display: true },
    { left: "$", right: "$", display: false },
    ...display,
  ];
  for (const el of document.querySelectorAll(".jp-MarkdownCell, .jp-RenderedMarkdown")) {
    renderMathInElement(el, { ...options, delimiters: dollars });
  }
});
