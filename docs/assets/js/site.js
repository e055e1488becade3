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

  /* Self-assessments: answers kept in this browser only; a summary per area with where to start. */
  function setupAssessment(form) {
    var store = storage();
    var key = PREFIX + "sa:" + form.getAttribute("data-ms-sa");
    var status = form.querySelector(".ms-status");
    var summary = form.querySelector(".ms-sa__summary");
    var scaleMax = form.querySelector(".ms-rating__opts").querySelectorAll("input").length;
    function read() {
      var answers = {};
      form.querySelectorAll("input[type=radio]:checked").forEach(function (r) { answers[r.name] = r.value; });
      form.querySelectorAll("textarea[data-notes]").forEach(function (t) {
        if (t.value.trim()) { answers["notes:" + t.getAttribute("data-notes")] = t.value; }
      });
      return answers;
    }
    function save() {
      if (!store) { return; }
      var answers = read();
      if (Object.keys(answers).length) { store.setItem(key, JSON.stringify(answers)); } else { store.removeItem(key); }
    }
    function restore() {
      if (!store) { return 0; }
      var answers = {};
      try { answers = JSON.parse(store.getItem(key) || "{}") || {}; } catch (e) { answers = {}; }
      var n = 0;
      Object.keys(answers).forEach(function (name) {
        if (name.indexOf("notes:") === 0) {
          var t = form.querySelector('textarea[data-notes="' + name.slice(6) + '"]');
          if (t) { t.value = answers[name]; }
          return;
        }
        var r = form.querySelector('input[type=radio][name="' + name + '"][value="' + answers[name] + '"]');
        if (r) { r.checked = true; n += 1; }
      });
      return n;
    }
    function text(el) { return el ? el.textContent.trim() : ""; }
    function show() {
      var areas = [];
      form.querySelectorAll(".ms-sa__domain").forEach(function (domain) {
        var values = [];
        domain.querySelectorAll("input[type=radio]:checked").forEach(function (r) { values.push(Number(r.value)); });
        if (!values.length) { return; }
        var mean = values.reduce(function (a, b) { return a + b; }, 0) / values.length;
        areas.push({ name: text(domain.querySelector("h2")), mean: mean, help: domain.querySelector(".ms-sa__help") });
      });
      var bars = summary.querySelector(".ms-sa__bars");
      var next = summary.querySelector(".ms-sa__next");
      bars.textContent = "";
      next.textContent = "";
      if (!areas.length) {
        summary.hidden = true;
        status.textContent = "Answer at least one statement to see a summary.";
        return;
      }
      areas.forEach(function (a) {
        var row = document.createElement("div");
        row.className = "ms-sa__bar";
        var label = document.createElement("span");
        label.className = "ms-sa__bar-label";
        label.textContent = a.name;
        var track = document.createElement("span");
        track.className = "ms-sa__bar-track";
        track.setAttribute("role", "img");
        track.setAttribute("aria-label", a.name + ": " + a.mean.toFixed(1) + " out of " + scaleMax);
        var fill = document.createElement("span");
        fill.className = "ms-sa__bar-fill";
        fill.style.width = Math.round((a.mean / scaleMax) * 100) + "%";
        track.appendChild(fill);
        var score = document.createElement("span");
        score.className = "ms-sa__bar-score";
        score.textContent = a.mean.toFixed(1) + " / " + scaleMax;
        row.appendChild(label);
        row.appendChild(track);
        row.appendChild(score);
        bars.appendChild(row);
      });
      var lowest = areas.slice().sort(function (x, y) { return x.mean - y.mean; }).slice(0, Math.min(3, areas.length));
      var list = document.createElement("ol");
      lowest.forEach(function (a) {
        var li = document.createElement("li");
        var strong = document.createElement("strong");
        strong.textContent = a.name + " (" + a.mean.toFixed(1) + "): ";
        li.appendChild(strong);
        a.help.querySelectorAll("a").forEach(function (link, i) {
          if (i) { li.appendChild(document.createTextNode(" · ")); }
          li.appendChild(link.cloneNode(true));
        });
        list.appendChild(li);
      });
      next.appendChild(list);
      summary.hidden = false;
      status.textContent = "Summary updated.";
    }
    form.addEventListener("change", function () { save(); if (!summary.hidden) { show(); } });
    form.addEventListener("input", function (e) { if (e.target.tagName === "TEXTAREA") { save(); } });
    form.querySelector(".ms-sa-summary-btn").addEventListener("click", show);
    form.querySelector(".ms-sa-print").addEventListener("click", function () { show(); window.print(); });
    form.querySelector(".ms-sa-delete").addEventListener("click", function () {
      if (store) { store.removeItem(key); }
      form.reset();
      summary.hidden = true;
      status.textContent = "Your answers were deleted from this browser.";
    });
    if (restore()) {
      show();
      status.textContent = "Your earlier answers were restored from this browser.";
    }
  }

  function init() {
    document.querySelectorAll("[data-ms-store]").forEach(setup);
    document.querySelectorAll("form[data-ms-sa]").forEach(setupAssessment);
    setupTaskLists();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
