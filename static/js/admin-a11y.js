"use strict";
// Names for the widgets the admin builds with JavaScript (WCAG 4.1.2): select2's autocomplete
// combobox is named by its (empty) selection only, and the filter box of a two-list selector
// is named by an icon whose aria-label a plain <span> may not carry. Widgets appear after load
// and when an inline row is added, so every change to the page is looked at.
{
  const fieldName = (select) => {
    const own = select.getAttribute("aria-label");
    if (own) return { text: own };
    const label = select.id && document.querySelector(`label[for="${CSS.escape(select.id)}"]`);
    if (!label) return null;
    if (!label.id) label.id = `${select.id}_label`;
    return { text: label.textContent.replace(/[:：]\s*$/, "").trim(), label };
  };

  const nameSelect2 = (select) => {
    const container = select.nextElementSibling;
    if (!container || !container.classList.contains("select2") || container.dataset.pcNamed) return;
    const name = fieldName(select);
    if (!name) return;
    const combobox = container.querySelector('[role="combobox"]');
    const rendered = container.querySelector(".select2-selection__rendered");
    if (combobox) {
      if (name.label && rendered && rendered.id) {
        // "Partner: <the chosen partner>"
        combobox.setAttribute("aria-labelledby", `${name.label.id} ${rendered.id}`);
      } else {
        combobox.removeAttribute("aria-labelledby");
        combobox.setAttribute("aria-label", name.text);
      }
    }
    if (rendered && rendered.getAttribute("role") === "textbox") rendered.setAttribute("aria-label", name.text);
    container.querySelectorAll(".select2-search__field").forEach((input) => input.setAttribute("aria-label", name.text));
    container.dataset.pcNamed = "1";
  };

  const fix = () => {
    document.querySelectorAll("select.select2-hidden-accessible").forEach(nameSelect2);
    document.querySelectorAll(".help-tooltip[aria-label]:not([role])").forEach((icon) => icon.setAttribute("role", "img"));
  };

  new MutationObserver(fix).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", fix);
  window.addEventListener("load", fix);
}
