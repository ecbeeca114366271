// The invitation link carries its code after "#", which browsers never send
// to a server: keep it for this tab (across signing in), put it in the
// form, and take it out of the address bar.
(function () {
  "use strict";
  var key = "interlink-invitation";
  var fromLink = window.location.hash.slice(1);
  if (/^[A-Za-z0-9_-]{43}$/.test(fromLink)) {
    try { window.sessionStorage.setItem(key, fromLink); } catch (e) { /* storage off: the form still takes the code */ }
    window.history.replaceState(null, "", window.location.pathname);
  }
  var code = document.getElementById("code");
  if (!code) { return; }
  var kept = fromLink;
  try { kept = window.sessionStorage.getItem(key) || fromLink; } catch (e) { /* as above */ }
  if (kept && !code.value) { code.value = kept; }
  code.form.addEventListener("submit", function () {
    try { window.sessionStorage.removeItem(key); } catch (e) { /* as above */ }
  });
})();
