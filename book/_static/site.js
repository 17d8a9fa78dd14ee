// A box that scrolls (a wide formula, table, code block or output) takes the keyboard focus, so
// that a reader without a mouse can scroll it too (axe: scrollable-region-focusable). Boxes are
// checked as they come near the screen, which costs no layout of the rest of the page;
// soMarkScrollable() checks them all at once (the site checks call it before running axe).
// This also does the job of pydata-sphinx-theme's own pass over code blocks and outputs, which
// read every box at load and so forced a layout of the whole page (site_for_readers.py removes
// that pass from the theme's script).
(function () {
  var SELECTOR = "span.math, div.math, div.math > math, div.cell_output, div.output, " +
                 ".table-wrapper, div.pst-scrollable-table-container, div.exercise-table, " +
                 "pre, .cell_output > .output, .nboutput > .output_area";
  // the theme's boxes may also scroll vertically (a long output); a formula only sideways
  var BOTH_WAYS = "pre, .cell_output > .output, .nboutput > .output_area, div.pst-scrollable-table-container";
  function mark(el) {
    if (el.hasAttribute("tabindex")) return;
    if (el.scrollWidth > el.clientWidth + 1 ||
        (el.matches(BOTH_WAYS) && el.scrollHeight > el.clientHeight + 1)) {
      el.setAttribute("tabindex", "0");
    }
  }
  window.soMarkScrollable = function () {
    document.querySelectorAll(SELECTOR).forEach(mark);
  };
  var observer = null;
  function observe() {
    if (!("IntersectionObserver" in window)) { window.soMarkScrollable(); return; }
    if (observer) observer.disconnect();
    observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { mark(entry.target); observer.unobserve(entry.target); }
      });
    }, {rootMargin: "400px 0px"});
    document.querySelectorAll(SELECTOR).forEach(function (el) { observer.observe(el); });
  }
  // a box that fits a wide window may scroll in a narrow one: look again after a resize
  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(observe, 300);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", observe);
  else observe();
})();
