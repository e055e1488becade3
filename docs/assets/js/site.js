/* Checklist ticks, template notes and self-assessment answers, kept in this browser only (localStorage).
   Nothing is sent anywhere. Every string shown comes from the message catalogue (the JSON block
   #ms-strings that overrides/main.html renders from docs/messages/<language>.yml, keys js.*). */
(function () {
  "use strict";

  /* ------------------------------------------------------------------ strings */

  var STRINGS = {};
  try {
    var block = document.getElementById("ms-strings");
    var parsed = block ? JSON.parse(block.textContent) : {};
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) { STRINGS = parsed; }
  } catch (e) { STRINGS = {}; }

  function say(key, values) {
    var text = Object.prototype.hasOwnProperty.call(STRINGS, "js." + key) ? String(STRINGS["js." + key]) : "";
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : all;
    });
  }

  /* ------------------------------------------------------------------ storage, scoped to this site */

  /* Keys carry the site's own path, as Material's do: two copies of the site on one origin
     (org.github.io/a/ and org.github.io/b/) never share ticks or answers. */
  function siteScope() {
    try {
      var config = JSON.parse(document.getElementById("__config").textContent);
      return new URL(config.base, window.location.href).pathname;
    } catch (e) {
      return "/";
    }
  }
  var SCOPE = siteScope();
  var PREFIX = SCOPE + "ms:";

  function localStore() {
    try {
      var ls = window.localStorage;
      ls.getItem(PREFIX + "probe");
      return ls;
    } catch (e) {
      return null;
    }
  }
  var LS = localStore();

  var store = {
    available: Boolean(LS),
    /* A stored value that is not a JSON object (malformed, an array, a number, another script's data) is
       ignored and removed; it never throws. */
    read: function (name) {
      if (!LS) { return {}; }
      var raw;
      try { raw = LS.getItem(PREFIX + name); } catch (e) { return {}; }
      if (raw === null) { return {}; }
      try {
        var value = JSON.parse(raw);
        if (value && typeof value === "object" && !Array.isArray(value)) { return value; }
      } catch (e) { /* fall through: reset */ }
      store.remove(name);
      return {};
    },
    /* false when the browser refused (storage full: QuotaExceededError, or blocked). */
    write: function (name, value) {
      if (!LS) { return false; }
      try {
        if (value && Object.keys(value).length) {
          LS.setItem(PREFIX + name, JSON.stringify(value));
        } else {
          LS.removeItem(PREFIX + name);
        }
        return true;
      } catch (e) {
        return false;
      }
    },
    remove: function (name) {
      if (!LS) { return; }
      try { LS.removeItem(PREFIX + name); } catch (e) { /* nothing to do */ }
    }
  };

  function own(obj, key) { return Object.prototype.hasOwnProperty.call(obj, key); }

  /* A status line that keeps saying "not saved" once the browser has refused to store something. */
  function statusLine(el) {
    var failed = false;
    return {
      set: function (text) {
        if (!el) { return; }
        el.textContent = failed ? say("not_saved") + (text ? " " + text : "") : text;
      },
      saved: function (ok) {
        if (!ok && store.available && !failed) {
          failed = true;
          el.classList.add("ms-status--error");
          el.textContent = say("not_saved");
        }
        return ok;
      }
    };
  }

  /* An Undo button after a status line, for a moment after something was cleared or deleted. */
  function offerUndo(statusEl, restore) {
    removeUndo(statusEl);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button ms-undo";
    button.textContent = say("undo");
    button.addEventListener("click", function () {
      restore();
      removeUndo(statusEl);
    });
    statusEl.parentNode.insertBefore(button, statusEl.nextSibling);
  }
  function removeUndo(statusEl) {
    var next = statusEl.nextElementSibling;
    if (next && next.classList.contains("ms-undo")) { next.remove(); }
  }

  /* ------------------------------------------------------------------ checklists and template forms */

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.querySelectorAll("input, textarea"), function (el) {
      if (el.closest(".ms-toolbar")) { return false; }
      if (el.type === "checkbox") { return false; }  /* ticks are kept separately */
      return el.name && (el.type === "text" || el.type === "date" || el.type === "radio" || el.tagName === "TEXTAREA");
    });
  }

  function readFields(form) {
    var values = {};
    fieldsOf(form).forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) { values[el.name] = el.value; }
      } else if (el.value.trim()) {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function writeFields(form, values) {
    fieldsOf(form).forEach(function (el) {
      var has = own(values, el.name) && typeof values[el.name] === "string";
      if (el.type === "radio") {
        el.checked = has && values[el.name] === el.value;
      } else {
        el.value = has ? values[el.name] : "";
      }
    });
  }

  function setup(toolbar) {
    var name = toolbar.getAttribute("data-ms-store");
    var root = toolbar.closest("form, .ms-checklist") || toolbar.parentElement;
    var form = root.tagName === "FORM" ? root : null;
    var boxes = root.querySelectorAll("input[type=checkbox][data-ms-key]");
    var statusEl = toolbar.querySelector(".ms-status");
    var status = statusLine(statusEl);
    var clear = toolbar.querySelector(".ms-clear");
    var keep = toolbar.querySelector(".ms-keep-notes");
    var notesName = name + ":notes";
    var dirty = false;

    function ticked() {
      var state = {};
      boxes.forEach(function (b) { if (b.checked) { state[b.getAttribute("data-ms-key")] = true; } });
      return state;
    }
    function count() { return Object.keys(ticked()).length; }
    function applyTicks(state) {
      boxes.forEach(function (b) { b.checked = own(state, b.getAttribute("data-ms-key")) && state[b.getAttribute("data-ms-key")] === true; });
    }
    function saveTicks() { return status.saved(store.write(name, ticked())); }
    function saveNotes() {
      if (!keep || !keep.checked) { return true; }
      dirty = false;
      return status.saved(store.write(notesName, { keep: true, values: readFields(form) }));
    }

    applyTicks(store.read(name));
    boxes.forEach(function (b) {
      b.addEventListener("change", function () {
        removeUndo(statusEl);
        saveTicks();
        status.set(say("ticked", { n: count(), total: boxes.length }));
      });
    });

    var restoredNotes = false;
    if (form && keep) {
      var notes = store.read(notesName);
      if (notes.keep === true) {
        keep.checked = true;
        var values = notes.values && typeof notes.values === "object" && !Array.isArray(notes.values) ? notes.values : {};
        writeFields(form, values);
        restoredNotes = Object.keys(values).length > 0;
      }
      form.addEventListener("input", function (e) {
        if (e.target.closest(".ms-toolbar") || e.target.type === "checkbox") { return; }
        removeUndo(statusEl);
        if (keep.checked) { saveNotes(); } else { dirty = true; }
      });
      form.addEventListener("change", function (e) {
        if (e.target.type === "radio") { if (keep.checked) { saveNotes(); } else { dirty = true; } }
      });
      keep.addEventListener("change", function () {
        if (keep.checked) {
          if (saveNotes()) { status.set(say("notes_kept")); }
        } else {
          store.remove(notesName);
          dirty = Object.keys(readFields(form)).length > 0;
          status.set(say("notes_forgotten"));
        }
      });
      /* Typed text is not lost silently: leaving the page with unsaved text asks first. */
      window.addEventListener("beforeunload", function (e) {
        if (dirty && !(keep && keep.checked) && Object.keys(readFields(form)).length) {
          e.preventDefault();
          e.returnValue = "";
        }
      });
      toolbar.querySelector(".ms-save-copy").addEventListener("click", function (e) {
        e.preventDefault();
        saveCopy(form);
        dirty = false;
        status.set(say("copy_saved"));
      });
    }

    if (!store.available) {
      status.set(say("no_storage"));
    } else if (restoredNotes) {
      status.set(say("notes_restored"));
    } else if (count()) {
      status.set(say("ticked_restored", { n: count(), total: boxes.length }));
    }

    clear.addEventListener("click", function () {
      var before = { ticks: ticked(), values: form ? readFields(form) : {} };
      applyTicks({});
      store.remove(name);
      if (form) {
        writeFields(form, {});
        if (keep && keep.checked) { saveNotes(); } else { store.remove(notesName); }
        dirty = false;
      }
      status.set(say(form ? "form_cleared" : "cleared"));
      offerUndo(statusEl, function () {
        applyTicks(before.ticks);
        saveTicks();
        if (form) {
          writeFields(form, before.values);
          if (keep && keep.checked) { saveNotes(); } else { dirty = Object.keys(before.values).length > 0; }
        }
        status.set(say("undone"));
      });
    });
  }

  /* A filled copy as a plain text file: every label with what was typed or ticked. Made in the browser. */
  function saveCopy(form) {
    var title = form.getAttribute("data-ms-title") || document.title;
    var today = new Date().toISOString().slice(0, 10);
    var lines = [say("copy_title", { title: title, date: today }), ""];
    form.querySelectorAll(".ms-section").forEach(function (section) {
      var heading = section.querySelector("h2, h3, h4");
      if (heading) { lines.push(heading.textContent.trim().toUpperCase(), ""); }
      section.querySelectorAll(".ms-field, tr").forEach(function (field) {
        if (field.tagName === "TR") {
          var cells = Array.prototype.map.call(field.querySelectorAll("input"), function (i) { return i.value.trim(); });
          if (cells.length && cells.some(Boolean)) { lines.push("- " + cells.join(" | ")); }
          return;
        }
        if (field.classList.contains("ms-table")) {
          var label = field.querySelector(".ms-table__label");
          if (label) { lines.push(label.textContent.trim() + ":"); }
          return;
        }
        var box = field.querySelector("input[type=checkbox]");
        if (box) {
          lines.push((box.checked ? "[x] " : "[ ] ") + field.textContent.trim().replace(/\s+/g, " "));
          return;
        }
        var legend = field.querySelector("legend");
        if (legend) {
          var picked = field.querySelector("input[type=radio]:checked");
          lines.push(legend.textContent.trim() + ": " + (picked ? picked.parentNode.textContent.trim() : say("copy_blank")));
          return;
        }
        field.querySelectorAll("label").forEach(function (lab) {
          var input = lab.htmlFor ? document.getElementById(lab.htmlFor) : null;
          if (!input) { return; }
          lines.push(lab.textContent.trim().replace(/\s+/g, " ") + ": " + (input.value.trim() || say("copy_blank")));
        });
      });
      lines.push("");
    });
    var blob = new Blob([lines.join("\r\n")], { type: "text/plain;charset=utf-8" });
    var link = document.createElement("a");
    var id = (form.getAttribute("data-ms-id") || "form").replace(/^.*template:/, "").replace(/[^a-z0-9-]+/gi, "-");
    link.href = URL.createObjectURL(blob);
    link.download = id + "-" + today + ".txt";
    document.body.appendChild(link);
    link.click();
    window.setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  /* Our forms are filled in on screen and never sent: no submission, and Enter in a text field does not submit. */
  function holdForms() {
    document.querySelectorAll("form.ms-form, form.ms-sa, form.ms-404-search").forEach(function (form) {
      form.addEventListener("submit", function (e) { e.preventDefault(); });
      form.addEventListener("keydown", function (e) {
        var t = e.target;
        if (e.key === "Enter" && t.tagName === "INPUT" && t.type !== "submit" && t.type !== "button" &&
            !form.classList.contains("ms-404-search")) {
          e.preventDefault();
        }
      });
    });
  }

  /* ------------------------------------------------------------------ task lists in guide pages */

  function setupTaskLists() {
    var boxes = document.querySelectorAll("article .task-list-item > .task-list-control > input[type=checkbox], article .task-list-item > input[type=checkbox]");
    if (!boxes.length) { return; }
    var here = window.location.pathname;
    var page = here.indexOf(SCOPE) === 0 ? here.slice(SCOPE.length) : here;
    var name = "page:" + page.replace(/\.html$/, "");
    var state = store.read(name);
    boxes.forEach(function (box, i) {
      var item = box.closest(".task-list-item");
      var text = item ? item.textContent.trim().replace(/\s+/g, " ") : "";
      if (text && !box.getAttribute("aria-label") && !box.getAttribute("aria-labelledby")) {
        box.setAttribute("aria-label", text.slice(0, 200));
      }
      box.disabled = false;
      var id = String(i) + ":" + text.slice(0, 40);
      box.checked = own(state, id) && state[id] === true;
      box.addEventListener("change", function () {
        if (box.checked) { state[id] = true; } else { delete state[id]; }
        store.write(name, state);
      });
    });
  }

  /* ------------------------------------------------------------------ self-assessments */

  function setupAssessment(form) {
    var name = "sa:" + form.getAttribute("data-ms-sa");
    var statusEl = form.querySelector(".ms-status");
    var status = statusLine(statusEl);
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
    function apply(answers) {
      var n = 0;
      form.querySelectorAll("input[type=radio]").forEach(function (r) {
        r.checked = own(answers, r.name) && answers[r.name] === r.value;
        if (r.checked) { n += 1; }
      });
      form.querySelectorAll("textarea[data-notes]").forEach(function (t) {
        var key = "notes:" + t.getAttribute("data-notes");
        t.value = own(answers, key) && typeof answers[key] === "string" ? answers[key] : "";
      });
      return n;
    }
    function save() { return status.saved(store.write(name, read())); }
    function text(el) { return el ? el.textContent.trim() : ""; }
    function show() {
      var areas = [];
      form.querySelectorAll(".ms-sa__domain").forEach(function (domain) {
        var values = [];
        domain.querySelectorAll("input[type=radio]:checked").forEach(function (r) { values.push(Number(r.value)); });
        if (!values.length) { return; }
        var mean = values.reduce(function (a, b) { return a + b; }, 0) / values.length;
        areas.push({ name: text(domain.querySelector("h2, h3")), mean: mean, help: domain.querySelector(".ms-sa__help") });
      });
      var bars = summary.querySelector(".ms-sa__bars");
      var next = summary.querySelector(".ms-sa__next");
      bars.textContent = "";
      next.textContent = "";
      if (!areas.length) {
        summary.hidden = true;
        status.set(say("sa_need_answer"));
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
        track.setAttribute("aria-label", say("sa_out_of", { name: a.name, score: a.mean.toFixed(1), max: scaleMax }));
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
        if (a.help) {
          a.help.querySelectorAll("a").forEach(function (link, i) {
            if (i) { li.appendChild(document.createTextNode(" · ")); }
            li.appendChild(link.cloneNode(true));
          });
        }
        list.appendChild(li);
      });
      next.appendChild(list);
      summary.hidden = false;
      status.set(say("sa_updated"));
    }
    form.addEventListener("change", function () { removeUndo(statusEl); save(); if (!summary.hidden) { show(); } });
    form.addEventListener("input", function (e) { if (e.target.tagName === "TEXTAREA") { save(); } });
    form.addEventListener("submit", function (e) { e.preventDefault(); show(); });
    form.querySelector(".ms-sa-print").addEventListener("click", function () { show(); window.print(); });
    form.querySelector(".ms-sa-delete").addEventListener("click", function () {
      var before = read();
      store.remove(name);
      apply({});
      summary.hidden = true;
      status.set(say("sa_deleted"));
      offerUndo(statusEl, function () {
        apply(before);
        save();
        status.set(say("undone"));
      });
    });
    if (apply(store.read(name))) {
      show();
      status.set(say("sa_restored"));
    } else if (!store.available) {
      status.set(say("no_storage"));
    }
  }

  /* ------------------------------------------------------------------ wayfinding */

  /* A generated table that is wider than its column can be scrolled from the keyboard, and says so. */
  function scrollRegions() {
    document.querySelectorAll(".md-typeset .ms-table__scroll").forEach(function (box) {
      var wide = box.scrollWidth > box.clientWidth + 1;
      if (wide && !box.hasAttribute("tabindex")) {
        var table = box.querySelector("table");
        var labelled = table && table.getAttribute("aria-labelledby");
        var source = labelled ? document.getElementById(labelled) : null;
        var heading = source || (table && table.querySelector("caption"));
        if (!heading) {
          var prev = box.previousElementSibling;
          while (prev && !/^H[2-6]$/.test(prev.tagName)) { prev = prev.previousElementSibling; }
          heading = prev;
        }
        var label = heading ? heading.textContent.replace(/\s+/g, " ").trim() : say("table");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", say("scroll_region", { label: label }));
      } else if (!wide && box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  /* The reference library's filter by evidence type (rendered hidden; useful only with this script). */
  function setupReferenceFilter(filter) {
    var refs = document.querySelectorAll(".ms-refs .ms-ref");
    var boxes = filter.querySelectorAll("input[type=checkbox][data-design]");
    var statusEl = filter.querySelector(".ms-status");
    function update() {
      var shown = {};
      boxes.forEach(function (b) { if (b.checked) { shown[b.getAttribute("data-design")] = true; } });
      var n = 0;
      refs.forEach(function (ref) {
        var visible = own(shown, ref.getAttribute("data-design"));
        ref.hidden = !visible;
        if (visible) { n += 1; }
      });
      if (statusEl) { statusEl.textContent = say("showing", { n: n, total: refs.length }); }
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    filter.hidden = false;
  }

  /* The 404 page's search box hands its words to the site's search. */
  function setupNotFoundSearch(form) {
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var words = form.querySelector("input").value;
      var toggle = document.getElementById("__search");
      var query = document.querySelector("input.md-search__input");
      if (!toggle || !query) { return; }
      query.focus();
      toggle.checked = true;
      toggle.dispatchEvent(new Event("change"));
      query.value = words;
      query.dispatchEvent(new Event("input", { bubbles: true }));
      query.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
    });
  }

  function init() {
    holdForms();
    document.querySelectorAll("[data-ms-store]").forEach(setup);
    document.querySelectorAll("form[data-ms-sa]").forEach(setupAssessment);
    document.querySelectorAll(".ms-filter[data-ms-filter]").forEach(setupReferenceFilter);
    document.querySelectorAll("form.ms-404-search").forEach(setupNotFoundSearch);
    setupTaskLists();
    scrollRegions();
    var timer = null;
    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(scrollRegions, 100);
    }
    window.addEventListener("resize", later);
    window.addEventListener("load", scrollRegions);
    if (window.ResizeObserver) {
      var watch = new ResizeObserver(later);
      document.querySelectorAll(".md-typeset .ms-table__scroll, .md-typeset .ms-table__scroll > table").forEach(function (el) {
        watch.observe(el);
      });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
