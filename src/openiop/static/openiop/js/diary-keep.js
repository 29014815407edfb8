/* Keeps a diary card the participant could not send (server or network down) in this
   browser's localStorage, never in a shared cache, and offers it again on the diary card page.
   Cleared when a card is sent and when the participant signs out. Our own small script:
   no inline code (CSP), no dependencies. */
(function () {
  "use strict";
  var PREFIX = "openiop.diary.unsent.";

  function store() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function clearAll() {
    var s = store();
    if (!s) { return; }
    for (var i = s.length - 1; i >= 0; i--) {
      var key = s.key(i);
      if (key && key.indexOf(PREFIX) === 0) { s.removeItem(key); }
    }
  }

  function anyKept() {
    var s = store();
    if (!s) { return false; }
    for (var i = 0; i < s.length; i++) {
      var key = s.key(i);
      if (key && key.indexOf(PREFIX) === 0) { return true; }
    }
    return false;
  }

  function save(form, key) {
    var s = store();
    if (!s) { return; }
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") {
        fields.push([name, value]);
      }
    });
    try {
      s.setItem(PREFIX + key, JSON.stringify({ savedAt: new Date().toISOString(), fields: fields }));
    } catch (e) { /* storage full or refused: the card is simply not kept */ }
  }

  function restore(form, fields) {
    fields.forEach(function (pair) {
      var name = pair[0], value = pair[1];
      var elements = form.querySelectorAll("[name=\"" + name.replace(/"/g, "") + "\"]");
      elements.forEach(function (el) {
        if (el.type === "radio" || el.type === "checkbox") {
          if (el.value === value) { el.checked = true; }
        } else if (el.type !== "hidden" && el.type !== "submit") {
          el.value = value;
        }
      });
    });
  }

  function button(label, primary) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    if (primary) { b.className = "primary"; }
    return b;
  }

  function offer(form, key) {
    var s = store();
    if (!s) { return; }
    var raw = s.getItem(PREFIX + key);
    if (!raw) { return; }
    // A form shown again with errors already holds what was typed.
    if (form.querySelector(".error") || document.querySelector(".form-errors")) { return; }
    var kept;
    try { kept = JSON.parse(raw); } catch (e) { s.removeItem(PREFIX + key); return; }
    if (!kept || !Array.isArray(kept.fields)) { s.removeItem(PREFIX + key); return; }
    var when = new Date(kept.savedAt);
    var box = document.createElement("section");
    box.className = "card kept-card";
    box.setAttribute("role", "status");
    var text = document.createElement("p");
    text.textContent = "A diary card you filled in on this device" +
      (isNaN(when) ? "" : " on " + when.toLocaleString()) +
      " could not be sent. Would you like to put it back in the form?";
    var actions = document.createElement("p");
    actions.className = "actions";
    var put = button("Put it back in the form", true);
    var drop = button("Discard it", false);
    put.addEventListener("click", function () {
      restore(form, kept.fields);
      box.remove();
      form.querySelector("input, select, textarea").focus();
    });
    drop.addEventListener("click", function () {
      s.removeItem(PREFIX + key);
      box.remove();
    });
    actions.appendChild(put);
    actions.appendChild(drop);
    box.appendChild(text);
    box.appendChild(actions);
    form.parentNode.insertBefore(box, form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-diary-sent], .msg-diary-sent")) { clearAll(); }
    var form = document.querySelector("form[data-diary-keep]");
    if (form) {
      var key = form.getAttribute("data-diary-keep");
      offer(form, key);
      form.addEventListener("submit", function () { save(form, key); });
    }
    document.querySelectorAll("form[action*=\"logout\"]").forEach(function (f) {
      f.addEventListener("submit", clearAll);
    });
    var note = document.querySelector("[data-diary-kept]");
    if (note && anyKept()) { note.hidden = false; }
  });
})();
