// A software interlinker's instantiate page, framed: when it says it made
// an asset ({code: "asset_created", message: {id, name}}), the asset is
// registered on the task. Only a message from that interlinker's exact
// origin, sent by the framed page itself, counts; any other is ignored.
(function () {
  "use strict";
  var frame = document.getElementById("interlinker");
  var form = document.getElementById("register");
  if (!frame || !form) { return; }
  var origin = frame.getAttribute("data-origin");
  var sent = false;
  window.addEventListener("message", function (event) {
    if (sent || event.origin !== origin || event.source !== frame.contentWindow) { return; }
    var data = event.data;
    if (!data || data.code !== "asset_created" || !data.message) { return; }
    var id = data.message.id;
    if (typeof id !== "string" || !/^[A-Za-z0-9_-]{1,200}$/.test(id)) { return; }
    sent = true;
    form.elements.external_id.value = id;
    var name = data.message.name;
    form.elements.display_name.value = typeof name === "string" ? name.slice(0, 200) : "";
    form.submit();
  });
})();
