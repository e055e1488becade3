/* Checklist and template ticks, kept in this browser only (localStorage). Nothing is sent anywhere. */
(function () {
  "use strict";
  var PREFIX = "ms:";

  function storage() {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  function setup(toolbar) {
    var store = storage();
    var key = PREFIX + toolbar.getAttribute("data-ms-store");
    var root = toolbar.parentElement;
    var boxes = root.querySelectorAll("input[type=checkbox][data-ms-key]");
    var status = toolbar.querySelector(".ms-status");
    var clear = toolbar.querySelector(".ms-clear");
    var state = {};
    if (store) {
      try { state = JSON.parse(store.getItem(key) || "{}") || {}; } catch (e) { state = {}; }
    }
    function count() {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) { n += 1; } });
      return n;
    }
    function save() {
      if (!store) { return; }
      var ticked = {};
      boxes.forEach(function (b) { if (b.checked) { ticked[b.getAttribute("data-ms-key")] = true; } });
      if (Object.keys(ticked).length) { store.setItem(key, JSON.stringify(ticked)); } else { store.removeItem(key); }
    }
    boxes.forEach(function (b) {
      if (state[b.getAttribute("data-ms-key")]) { b.checked = true; }
      b.addEventListener("change", function () {
        save();
        status.textContent = count() + " of " + boxes.length + " ticked";
      });
    });
    if (!store) {
      status.textContent = "Your browser is not saving ticks on this page.";
    } else if (count()) {
      status.textContent = count() + " of " + boxes.length + " ticked (restored from this browser)";
    }
    clear.addEventListener("click", function () {
      boxes.forEach(function (b) { b.checked = false; });
      if (store) { store.removeItem(key); }
      status.textContent = "All ticks cleared.";
    });
  }

  /* Task lists written in a page's Markdown: label each box with its item's text and keep ticks per page. */
  function setupTaskLists() {
    var lists = document.querySelectorAll("article .task-list");
    if (!lists.length) { return; }
    var store = storage();
    var key = PREFIX + "page:" + window.location.pathname.replace(/\.html$/, "");
    var state = {};
    if (store) {
      try { state = JSON.parse(store.getItem(key) || "{}") || {}; } catch (e) { state = {}; }
    }
    var boxes = document.querySelectorAll("article .task-list-item > .task-list-control > input[type=checkbox], article .task-list-item > input[type=checkbox]");
    boxes.forEach(function (box, i) {
      var item = box.closest(".task-list-item");
      var text = item ? item.textContent.trim().replace(/\s+/g, " ") : "";
      if (text && !box.getAttribute("aria-label")) { box.setAttribute("aria-label", text.slice(0, 200)); }
      box.disabled = false;
      var id = String(i) + ":" + text.slice(0, 40);
      box.checked = Boolean(state[id]);
      box.addEventListener("change", function () {
        if (!store) { return; }
        if (box.checked) { state[id] = true; } else { delete state[id]; }
        if (Object.keys(state).length) { store.setItem(key, JSON.stringify(state)); } else { store.removeItem(key); }
      });
    });
  }

  function init() {
    document.querySelectorAll("[data-ms-store]").forEach(setup);
    setupTaskLists();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
