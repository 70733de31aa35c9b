// Small enhancements for every page. Each works from data attributes; without this script
// every page still works (the markup is the fallback). Loaded with `defer`, no inline script (CSP).
(function () {
  "use strict";
  document.documentElement.classList.add("js");  // lets the CSS lay out for the enhanced page

  // Confirm once: <details class="confirm" data-confirm="what will happen"> holds the real submit
  // button. Without JS the reader opens the details, reads the text and presses that button.
  // With JS the summary asks the same question in one dialog and submits through that button.
  document.querySelectorAll("details.confirm[data-confirm]").forEach(function (box) {
    var summary = box.querySelector("summary");
    var button = box.querySelector("button[type=submit]");
    if (!summary || !button) return;
    summary.addEventListener("click", function (event) {
      event.preventDefault();
      if (window.confirm(box.dataset.confirm)) {
        var form = button.form;
        if (form && form.requestSubmit) form.requestSubmit(button); else button.click();
      }
    });
  });

  // Copy a citation: the button stays hidden where the clipboard cannot be used.
  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copyTarget);
    if (!source || !navigator.clipboard) return;
    var status = button.parentElement.querySelector(".copy-status");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.replace(/\s+/g, " ").trim()).then(function () {
        if (status) status.textContent = button.dataset.copied || "";
      });
    });
  });

  // Search facets: folded on a phone so the results come first; open on wider screens.
  var narrow = window.matchMedia("(max-width: 48rem)");
  document.querySelectorAll("details.facets-fold").forEach(function (box) {
    if (narrow.matches) box.open = false;
  });
})();
