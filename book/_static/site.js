// A box that scrolls sideways (a wide formula, table or output) takes the keyboard focus, so that
// a reader without a mouse can scroll it too (axe: scrollable-region-focusable). Boxes are checked
// as they come near the screen, which costs no layout of the rest of the page;
// soMarkScrollable() checks them all at once (the site checks call it before running axe).
(function () {
  var SELECTOR = "span.math, div.math, mjx-container[display], div.cell_output, div.output, " +
                 ".table-wrapper, div.pst-scrollable-table-container, div.exercise-table";
  function mark(el) {
    if (!el.hasAttribute("tabindex") && el.scrollWidth > el.clientWidth + 1) {
      el.setAttribute("tabindex", "0");
    }
  }
  window.soMarkScrollable = function () {
    document.querySelectorAll(SELECTOR).forEach(mark);
  };
  function observe() {
    if (!("IntersectionObserver" in window)) { window.soMarkScrollable(); return; }
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (entry.isIntersecting) { mark(entry.target); observer.unobserve(entry.target); }
      });
    }, {rootMargin: "400px 0px"});
    document.querySelectorAll(SELECTOR).forEach(function (el) { observer.observe(el); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", observe);
  else observe();
})();
