/* Integrity signals on a question page: how often the page was left, and how often
 * text was pasted into it, while it was open (screening/reports/integrity.py has the
 * definitions; the welcome page tells the applicant).
 *
 * "Left the page" is the page becoming hidden (visibilitychange to "hidden"): another
 * tab or app in front, the window minimised, the phone locked. A paste counts when it
 * goes into a text field. The counts go into the form's hidden fields and are posted
 * with the answer; they are never scored and never stop the form from being sent.
 * Without JavaScript the fields stay empty and the server records "not recorded".
 *
 * The page hidden by the form's own submission is not counted in what is sent: the
 * browser reads the fields when the form is submitted, before the page goes away.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-integrity-signals]");
  if (!form) {
    return;
  }
  var leftPage = form.querySelector("input[name='left_page_count']");
  var pasted = form.querySelector("input[name='paste_count']");
  if (!leftPage || !pasted) {
    return;
  }

  // A page shown again after a problem with the answer carries on from what it sent.
  function start(field) {
    var value = /^[0-9]{1,6}$/.test(field.value) ? parseInt(field.value, 10) : 0;
    field.value = String(value);
    return value;
  }
  var counts = { left: start(leftPage), pasted: start(pasted) };

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      counts.left += 1;
      leftPage.value = String(counts.left);
    }
  });

  function isTextField(element) {
    if (!element || !element.tagName) {
      return false;
    }
    var tag = element.tagName.toLowerCase();
    if (tag === "textarea") {
      return true;
    }
    return tag === "input" && /^(text|search|email|url|tel)$/.test(element.type || "text");
  }

  form.addEventListener("paste", function (event) {
    if (isTextField(event.target)) {
      counts.pasted += 1;
      pasted.value = String(counts.pasted);
    }
  });
})();
