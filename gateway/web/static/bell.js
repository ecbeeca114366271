// Keeps the bell's count live while a page is open: the server's stream of
// the signed-in person's notifications (server-sent events, resumed by
// the browser with Last-Event-ID after a drop). Without JavaScript, or
// when the stream is refused, the bell keeps the count the page was made
// with; nothing else depends on it.
(function () {
  "use strict";
  var bell = document.getElementById("bell");
  if (!bell || typeof window.EventSource !== "function") { return; }
  var said = document.getElementById("bell-news");
  function show(count, unseenText) {
    var badge = document.getElementById("bell-count");
    var hidden = document.getElementById("bell-unseen");
    if (count > 0) {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "badge";
        badge.id = "bell-count";
        badge.setAttribute("aria-hidden", "true");
        bell.appendChild(badge);
      }
      if (!hidden) {
        hidden = document.createElement("span");
        hidden.className = "visually-hidden";
        hidden.id = "bell-unseen";
        bell.appendChild(hidden);
      }
      badge.textContent = String(count);
      hidden.textContent = unseenText;
    } else {
      if (badge) { badge.remove(); }
      if (hidden) { hidden.remove(); }
    }
  }
  var stream = new window.EventSource("/notifications/stream");
  stream.addEventListener("count", function (event) {
    try {
      var data = JSON.parse(event.data);
      show(data.count, data.unseen);
    } catch (e) { /* a malformed event changes nothing */ }
  });
  stream.addEventListener("notification", function (event) {
    try {
      var data = JSON.parse(event.data);
      show(data.count, data.unseen);
      if (said && data.title) { said.textContent = data.title; }
    } catch (e) { /* as above */ }
  });
  // A page being left closes its stream at once (no reconnection storm).
  window.addEventListener("pagehide", function () { stream.close(); });
})();
