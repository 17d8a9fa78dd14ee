// A box that scrolls sideways (a wide formula, table or output) takes the keyboard focus, so that
// a reader without a mouse can scroll it too (axe: scrollable-region-focusable).
(function () {
  function focusable() {
    document.querySelectorAll("span.math, div.math, mjx-container, div.cell_output, div.output, .table-wrapper, div.pst-scrollable-table-container")
      .forEach(function (el) {
        if (el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute("tabindex")) {
          el.setAttribute("tabindex", "0");
        }
      });
  }
  if (document.readyState === "complete") focusable();
  else window.addEventListener("load", focusable);
  window.addEventListener("resize", focusable);
})();
