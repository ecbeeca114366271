// Keeps a process's latest activity live while its page is open: the
// server's stream of the process's feed (server-sent events from the
// cursor the page was made at, resumed by the browser with Last-Event-ID
// after a drop). Without JavaScript, or when the stream is refused, the
// list stays as the page was made; nothing else depends on it.
(function () {
  "use strict";
  var list = document.getElementById("process-feed");
  if (!list || typeof window.EventSource !== "function") { return; }
  var shown = Math.max(list.children.length, 8);
  var said = document.getElementById("feed-news");
  var empty = document.getElementById("feed-empty");
  var url = list.getAttribute("data-stream") + "?after=" +
    encodeURIComponent(list.getAttribute("data-cursor") || "0");
  var stream = new window.EventSource(url);
  stream.addEventListener("entry", function (event) {
    try {
      var data = JSON.parse(event.data);
      var item = document.createElement("li");
      var when = document.createElement("span");
      when.className = "meta";
      when.textContent = data.when;
      item.appendChild(when);
      item.appendChild(document.createTextNode(" "));
      if (data.link) {
        var link = document.createElement("a");
        link.href = data.link;
        link.textContent = data.title;
        item.appendChild(link);
      } else {
        item.appendChild(document.createTextNode(data.title));
      }
      list.insertBefore(item, list.firstChild);
      while (list.children.length > shown) { list.removeChild(list.lastChild); }
      if (empty) { empty.hidden = true; }
      if (said) { said.textContent = data.title; }
    } catch (e) { /* a malformed event changes nothing */ }
  });
  // A page being left closes its stream at once (no reconnection storm).
  window.addEventListener("pagehide", function () { stream.close(); });
})();
