/* A "Copy link" button beside each read-only link box (templates/macros/links.html).
 * An enhancement: without JavaScript the box still shows the whole link, ready to select.
 * The result is announced politely (a status region made before any click, so screen
 * readers are already listening to it); where the Clipboard API is missing or refused
 * (a plain-http address other than localhost), the link is selected for Ctrl+C instead.
 */
(function () {
  "use strict";

  var ANNOUNCE_FOR_MS = 4000;

  function enhance(box) {
    var input = box.querySelector("input");
    var button = document.createElement("button");
    var hidden = document.createElement("span");
    var status = document.createElement("span");
    var timer = null;

    button.type = "button";
    button.className = "button secondary copy-link-button";
    button.appendChild(document.createTextNode("Copy link"));
    hidden.className = "visually-hidden";
    hidden.textContent = " for " + box.getAttribute("data-copy-for");
    button.appendChild(hidden);
    status.className = "copy-link-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    box.appendChild(button);
    box.appendChild(status);

    function announce(message) {
      status.textContent = message;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { status.textContent = ""; }, ANNOUNCE_FOR_MS);
    }

    function selectForKeyboard() {
      input.focus();
      input.select();
      announce("Link selected: press Ctrl+C (or \u2318C) to copy it");
    }

    button.addEventListener("click", function () {
      status.textContent = "";  // the same words again are announced again
      if (!navigator.clipboard) {
        selectForKeyboard();
        return;
      }
      navigator.clipboard.writeText(input.value).then(function () {
        announce("Copied");
      }, selectForKeyboard);
    });
    input.addEventListener("focus", function () { input.select(); });
  }

  var boxes = document.querySelectorAll("[data-copy-link]");
  for (var i = 0; i < boxes.length; i += 1) {
    enhance(boxes[i]);
  }
})();
