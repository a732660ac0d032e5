// Typeset the formulas pymdownx.arithmatex marked (class "arithmatex", delimiters \( \) and
// \[ \]) with the KaTeX the site carries under assets/katex/. Run on every page load, including
// Material's instant navigation (document$), when that is on.
(function () {
  function typeset() {
    document.querySelectorAll(".arithmatex").forEach(function (el) {
      if (el.querySelector(".katex")) return;
      renderMathInElement(el, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true },
        ],
        throwOnError: false,
      });
    });
  }
  if (typeof document$ !== "undefined") {
    document$.subscribe(typeset);
  } else {
    document.addEventListener("DOMContentLoaded", typeset);
  }
})();
