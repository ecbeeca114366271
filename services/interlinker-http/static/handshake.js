// Tells the platform's window that embeds this page about the asset just
// made (INTERLINK's handshake): {code: "asset_created", message: asset},
// sent to the platform's origin only.
(function () {
  var created = document.getElementById('created');
  if (!created || !window.parent || window.parent === window) return;
  var asset = JSON.parse(created.getAttribute('data-asset'));
  window.parent.postMessage({ code: 'asset_created', message: asset }, created.getAttribute('data-platform-origin'));
})();
