/* A live countdown to the questionnaire's time limit: an enhancement only.
 *
 * Without JavaScript the page's one time line states the minutes left; the server
 * enforces the limit either way. This script rewrites that same line (never a second
 * one that could disagree with it) into a live countdown and the finishing time in the
 * device's own time zone. The countdown follows the server's clock (the page carries
 * the server's "now"), so a wrong clock on the device does not matter. It is announced
 * to screen readers only at 5 minutes, 1 minute and 0, never every second.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-countdown-deadline]");
  var line = box && box.querySelector("[data-countdown-line]");
  if (!box || !line) {
    return;
  }
  var deadline = Date.parse(box.getAttribute("data-countdown-deadline"));
  var serverNow = Date.parse(box.getAttribute("data-countdown-now"));
  if (isNaN(deadline) || isNaN(serverNow)) {
    return;
  }
  var offset = serverNow - Date.now(); // the server's clock minus this device's
  // The page's words, in its language; English if an older page lacks them.
  function words(name, english) {
    return box.getAttribute("data-countdown-" + name) || english;
  }

  // The finishing time on the device's clock face, in its own time zone.
  var ends = new Date(deadline - offset).toLocaleTimeString(
    document.documentElement.lang || undefined, { hour: "2-digit", minute: "2-digit" });
  var label = document.createElement("span");
  label.textContent = words("label", "Time left: ");
  var clock = document.createElement("span");
  clock.setAttribute("role", "timer"); // not live: a screen reader is not read every tick
  clock.className = "countdown-clock";
  var until = document.createElement("span");
  until.className = "countdown-ends";
  until.textContent = " " + words("ends", "(until {time})").replace("{time}", ends);
  line.textContent = "";
  line.classList.add("countdown");
  line.appendChild(label);
  line.appendChild(clock);
  line.appendChild(until);
  var timer = line;

  var announcer = document.createElement("p");
  announcer.className = "visually-hidden";
  announcer.setAttribute("role", "status");

  box.appendChild(announcer);

  var announced = {};
  var MILESTONES = [
    [300, words("five", "5 minutes left.")],
    [60, words("one", "1 minute left.")],
    [0, words("up", "The time is up. Press Next to save this answer; your saved answers " +
                    "will be submitted.")]
  ];

  function remainingSeconds() {
    return Math.max(0, Math.ceil((deadline - (Date.now() + offset)) / 1000));
  }

  function format(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    var seconds = remainingSeconds();
    clock.textContent = format(seconds);
    if (seconds <= 60) {
      timer.classList.add("countdown-low");
    }
    for (var i = 0; i < MILESTONES.length; i += 1) {
      var at = MILESTONES[i][0];
      // Announce a milestone when it is crossed, not one already past when the page opened.
      if (seconds <= at && !announced[at]) {
        announced[at] = true;
        if (seconds > at - 5) {
          announcer.textContent = MILESTONES[i][1];
        }
      }
    }
    if (seconds > 0) {
      // Wake just after the displayed second changes, so the clock never lags a second.
      var untilNextSecond = (deadline - (Date.now() + offset)) % 1000;
      window.setTimeout(tick, (untilNextSecond > 0 ? untilNextSecond : 1000) + 20);
    }
  }

  tick();
})();
