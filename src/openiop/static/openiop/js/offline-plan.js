/* The safety plan without a network (views_offline.py): the participant chooses, on their own
   phone, to keep their plan; the service worker then refreshes the kept copy on every portal
   visit. Signing out, or opening the sign-in page, deletes it. Pages say when they are
   offline. Our own small script: no inline code (CSP), no dependencies. */
(function () {
  "use strict";
  var CACHE = "openiop-safety-plan-v1";
  var CHOICE = "openiop.offlinePlan";

  function chosen() {
    try { return window.localStorage.getItem(CHOICE) === "yes"; } catch (e) { return false; }
  }
  function choose(on) {
    try {
      if (on) { window.localStorage.setItem(CHOICE, "yes"); } else { window.localStorage.removeItem(CHOICE); }
    } catch (e) { /* private mode: nothing kept */ }
  }
  function forget() {
    if (window.caches) { window.caches.delete(CACHE); }
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "forget-plan" });
    }
  }
  function keep(done) {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register("/me/sw.js", { scope: "/me/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var channel = registration.active;
      if (channel) { channel.postMessage({ type: "keep-plan" }); }
      if (done) { done(); }
    });
  }
  function offlineNotice() {
    var notice = document.getElementById("offline-notice");
    if (notice) { notice.hidden = navigator.onLine; }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var me = document.getElementById("offline-plan-js");
    var role = me ? me.getAttribute("data-portal") : "";
    if (role === "signed-out") { forget(); return; }
    document.querySelectorAll("form[action*=\"logout\"]").forEach(function (form) {
      form.addEventListener("submit", forget);
    });
    offlineNotice();
    window.addEventListener("online", offlineNotice);
    window.addEventListener("offline", offlineNotice);
    if (role === "participant" && chosen() && navigator.onLine) { keep(); }

    var control = document.getElementById("offline-plan");
    if (!control || !("serviceWorker" in navigator) || !window.caches) { return; }
    control.hidden = false;
    var button = control.querySelector("button");
    var status = control.querySelector("[role=status]");
    function show() {
      var on = chosen();
      button.textContent = on ? button.getAttribute("data-off") : button.getAttribute("data-on");
      status.textContent = on ? status.getAttribute("data-kept") : status.getAttribute("data-not-kept");
    }
    button.addEventListener("click", function () {
      if (chosen()) { choose(false); forget(); show(); return; }
      choose(true);
      show();
      keep();
    });
    show();
  });
})();
