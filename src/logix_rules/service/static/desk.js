// Live countdowns: every <time data-countdown> ticks towards its deadline. Without this
// script the server-rendered text stays, as of the page's load. The server's "now"
// (body data-now) anchors the count, so it follows the engine's clock, not this machine's.
(function () {
  "use strict";
  var nodes = document.querySelectorAll("time[data-countdown]");
  if (!nodes.length) return;
  var serverNow = Date.parse(document.body.getAttribute("data-now") || "");
  var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600);
    var m = Math.floor((s % 3600) / 60), sec = s % 60;
    if (d) return d + " d " + h + " h";
    if (h) return h + " h " + (m < 10 ? "0" : "") + m + " min";
    return m + " min " + (sec < 10 ? "0" : "") + sec + " s";
  }
  function tick() {
    var now = Date.now() + skew;
    for (var i = 0; i < nodes.length; i++) {
      var due = Date.parse(nodes[i].getAttribute("datetime"));
      if (isNaN(due)) continue;
      var left = due - now;
      nodes[i].textContent = left >= 0 ? "in " + span(left) : span(left) + " overdue";
      nodes[i].classList.toggle("overdue", left < 0);
    }
  }
  tick();
  setInterval(tick, 1000);
})();
// The queue reloads itself every minute while it is on screen and nobody is using its
// filters, so new incidents appear on a desk left open; without script, reload by hand.
(function () {
  "use strict";
  var every = parseInt(document.body.getAttribute("data-refresh") || "0", 10);
  if (!every) return;
  setInterval(function () {
    var busy = document.activeElement && document.activeElement.closest("form");
    if (document.visibilityState === "visible" && !busy) window.location.reload();
  }, every * 1000);
})();
