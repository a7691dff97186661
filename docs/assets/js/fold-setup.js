/* Folded setup lines in code blocks (generators/fold_setup.py builds the markup): the marker
   comment is a button that shows or hides the lines above it. Listeners sit on the document, so
   they also cover code blocks that appear later (Material's instant navigation). */
(() => {
  const TOGGLE = ".fold-setup__toggle";

  function toggle(button) {
    const lines = document.getElementById(button.getAttribute("aria-controls"));
    if (!lines) return;
    const open = button.getAttribute("aria-expanded") !== "true";
    const before = button.getBoundingClientRect().top;
    button.setAttribute("aria-expanded", String(open));
    lines.hidden = !open;
    // The lines open above the toggle: keep the toggle where it was on screen.
    window.scrollBy(0, button.getBoundingClientRect().top - before);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest(TOGGLE);
    if (!button || String(window.getSelection())) return;  // selecting code text is not a click
    toggle(button);
  });

  document.addEventListener("keydown", (event) => {
    const button = event.target.closest && event.target.closest(TOGGLE);
    if (!button || event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();  // Space would scroll the page
      toggle(button);
    }
  });
})();
