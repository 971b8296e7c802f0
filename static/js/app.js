// Partner Center: the little glue htmx and Bootstrap need. No inline scripts (CSP).
(function () {
  "use strict";
  // Until this script runs, app.css opens menus on hover and focus (the no-JS fallback). A menu
  // opened that way — clicked while the page was still loading — would snap shut the moment
  // "no-js" goes, under the pointer: hand it to Bootstrap first, so it stays open.
  if (window.bootstrap) {
    document.querySelectorAll(".dropdown").forEach(function (dropdown) {
      if (!dropdown.matches(":focus-within, :hover")) return;
      var toggle = dropdown.querySelector("[data-bs-toggle='dropdown']");
      if (toggle) window.bootstrap.Dropdown.getOrCreateInstance(toggle).show();
    });
  }
  document.documentElement.classList.remove("no-js");

  function announce(text) {
    var region = document.getElementById("live-region");
    if (!region || !text) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // Swapped content is announced to screen readers: its data-announce, or a generic note.
  document.addEventListener("htmx:afterSwap", function (evt) {
    var el = evt.detail.target;
    var source = el && el.querySelector ? (el.matches("[data-announce]") ? el : el.querySelector("[data-announce]")) : null;
    announce(source ? source.getAttribute("data-announce") : document.body.getAttribute("data-updated-text"));
    // A modal sent by the server opens itself.
    var modal = el && el.querySelector ? el.querySelector(".modal[data-autoshow]") : null;
    if (modal && window.bootstrap) {
      var instance = window.bootstrap.Modal.getOrCreateInstance(modal);
      instance.show();
      modal.addEventListener("hidden.bs.modal", function () { modal.remove(); }, { once: true });
    }
  });

  // The server closes an open modal by sending the HX-Trigger event "pc:closeModal".
  document.body && document.body.addEventListener("pc:closeModal", closeModals);
  document.addEventListener("pc:closeModal", closeModals);
  function closeModals() {
    document.querySelectorAll(".modal.show").forEach(function (m) {
      var inst = window.bootstrap && window.bootstrap.Modal.getInstance(m);
      if (inst) inst.hide();
    });
  }

  // Progress bars: width comes from data-value (style attributes would need unsafe-inline).
  function paintProgress(root) {
    (root || document).querySelectorAll("[data-progress]").forEach(function (bar) {
      var v = parseFloat(bar.getAttribute("data-progress")) || 0;
      bar.style.width = Math.max(0, Math.min(100, v)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { paintProgress(document); });
  document.addEventListener("htmx:afterSettle", function (evt) { paintProgress(evt.detail.target); });

  // "Select all" checkboxes for batch actions.
  document.addEventListener("change", function (evt) {
    var t = evt.target;
    if (t.matches && t.matches("[data-select-all]")) {
      var scope = document.querySelector(t.getAttribute("data-select-all"));
      if (scope) scope.querySelectorAll("input[type=checkbox][name]").forEach(function (cb) { cb.checked = t.checked; });
    }
  });

  // Copy-to-clipboard buttons: <button data-copy="#id">.
  document.addEventListener("click", function (evt) {
    var btn = evt.target.closest && evt.target.closest("[data-copy]");
    if (!btn) return;
    var src = document.querySelector(btn.getAttribute("data-copy"));
    if (!src || !navigator.clipboard) return;
    navigator.clipboard.writeText(src.value || src.textContent).then(function () {
      announce(btn.getAttribute("data-copied") || "OK");
    });
  });
})();
