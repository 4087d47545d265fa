/* Move focus to the error summary when a page comes back with problems, and make its
 * links focus the control they name (a plain link to a fragment only scrolls).
 * An enhancement: without JavaScript the summary is still announced (role="alert")
 * and its links still scroll to the controls.
 */
(function () {
  "use strict";

  var summary = document.querySelector(".error-summary");
  if (!summary) {
    return;
  }
  summary.focus();

  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) {
      return;
    }
    event.preventDefault();
    // Show the question (legend or label) above the control, not just the control.
    var context = target.closest("fieldset") || target.closest(".field") || target;
    context.scrollIntoView();
    target.focus({ preventScroll: true });
  });
})();
