// The app's own script (the CSP allows no inline code): small htmx hooks and accessibility helpers.
document.documentElement.classList.add("js");

// The installable web app: a service worker keeps the app shell for use without a connection.
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js"); });
}

// htmx does not swap error answers; the booking panel shows the re-rendered form of a 422 (invalid
// input) or 409 (conflict) in place. htmx 2 fires beforeSwap on the target, so it is caught here as it
// bubbles up from anywhere inside an element marked data-swap-errors.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if ((status === 422 || status === 409) && event.target.closest("[data-swap-errors]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// The drawn signature at the machine: a canvas (finger, pen or mouse) whose PNG goes into the hidden
// field named by data-signature-for when the form is sent.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("canvas[data-signature-for]").forEach(function (canvas) {
    var field = document.getElementById(canvas.getAttribute("data-signature-for"));
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.strokeStyle = "#111";
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * canvas.width / box.width, (event.clientY - box.top) * canvas.height / box.height];
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p[0], p[1]);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      context.lineTo(p[0], p[1]);
      context.stroke();
      drawn = true;
      event.preventDefault();
    });
    function stop() {
      drawing = false;
      if (drawn) { field.value = canvas.toDataURL("image/png"); }
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    var clear = document.querySelector("[data-signature-clear='" + canvas.id + "']");
    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        field.value = "";
        drawn = false;
      });
    }
  });
  document.querySelectorAll("input[type=file][data-max-files]:not([data-scale-images])").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = parseInt(input.getAttribute("data-max-files"), 10);
      input.setCustomValidity(input.files.length > max ? "Höchstens " + max + " Fotos." : "");
    });
  });
});

// Accessibility: the menu collapses behind a button at phone widths; the error summary of a refused
// form takes the focus (so screen readers read it); each invalid field names its error message.
function markInvalidFields(root) {
  root.querySelectorAll(".field.invalid").forEach(function (field) {
    var control = field.querySelector("input:not([type=hidden]), select, textarea");
    var message = field.querySelector(".msg");
    if (!control || !message) { return; }
    if (!message.id) { message.id = (control.id || control.name || "field") + "-error"; }
    control.setAttribute("aria-invalid", "true");
    var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (described.indexOf(message.id) < 0) { described.push(message.id); }
    control.setAttribute("aria-describedby", described.join(" "));
  });
}

// On a phone the tables are stacked cards: each cell gets its column's name (data-label, shown by CSS).
function labelTableCells(root) {
  root.querySelectorAll("main table").forEach(function (table) {
    var names = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, index) {
        if (names[index] && !cell.hasAttribute("data-label") && cell.textContent.trim()) {
          cell.setAttribute("data-label", names[index]);
        }
      });
    });
  });
}

function focusErrorSummary(root) {
  var summary = root.querySelector ? root.querySelector(".error-summary") : null;
  if (summary) { summary.focus(); }
}

document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");
  if (toggle && menu) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var open = menu.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  labelTableCells(document);
  markInvalidFields(document);
  focusErrorSummary(document);
  // A refused form post answers with the form's page: the address bar shows that page, not the post's URL.
  var pageUrl = document.body.getAttribute("data-page-url");
  if (pageUrl && window.history && history.replaceState) { history.replaceState(null, "", pageUrl); }
  // A summary link moves the focus into its field (not just the scroll position).
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    if (!link) { return; }
    var name = link.getAttribute("href").slice(1);
    var target = document.getElementById(name) || document.querySelector("[name='" + name.replace(/'/g, "") + "']");
    if (!target) {  // an error of several fields (a period): the invalid field showing the same words
      document.querySelectorAll(".field.invalid .msg").forEach(function (msg) {
        if (!target && msg.textContent.trim() === link.textContent.trim()) {
          target = msg.closest(".field").querySelector("input:not([type=hidden]), select, textarea");
        }
      });
    }
    if (target) { event.preventDefault(); target.focus(); }
  });
});

document.addEventListener("htmx:afterSwap", function (event) {
  labelTableCells(event.detail.target);
  markInvalidFields(event.detail.target);
  focusErrorSummary(event.detail.target);
});

// Photos are scaled down in the browser before they are sent: at most data-scale-images pixels on the
// longer side, as JPEG. A photo still larger than data-max-bytes is refused here, in German, before
// anything is sent (the form keeps everything typed).
function scaledPhoto(file, limit) {
  if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) { return Promise.resolve(file); }
  return createImageBitmap(file).then(function (bitmap) {
    var scale = Math.min(1, limit / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && file.type === "image/jpeg") { return file; }
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return new Promise(function (resolve) {
      canvas.toBlob(function (blob) {
        if (!blob || (scale === 1 && blob.size >= file.size)) { resolve(file); return; }
        resolve(new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", {type: "image/jpeg"}));
      }, "image/jpeg", 0.85);
    });
  }).catch(function () { return file; });
}

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[type=file][data-scale-images]").forEach(function (input) {
    var limit = parseInt(input.getAttribute("data-scale-images"), 10);
    var maxFiles = parseInt(input.getAttribute("data-max-files") || "0", 10);
    input.addEventListener("change", function () {
      var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10);
      var files = Array.prototype.slice.call(input.files);
      if (maxFiles && files.length > maxFiles) {
        input.setCustomValidity(input.getAttribute("data-too-many"));
        input.reportValidity();
        return;
      }
      input.setCustomValidity(input.getAttribute("data-scaling"));
      input.dataset.busy = "1";
      Promise.all(files.map(function (file) { return scaledPhoto(file, limit); })).then(function (scaled) {
        var transfer = new DataTransfer();
        scaled.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;  // (setting files fires no change event)
        input.dataset.busy = "";
        var tooLarge = scaled.some(function (file) { return maxBytes && file.size > maxBytes; });
        input.setCustomValidity(tooLarge ? input.getAttribute("data-too-large") : "");
        if (tooLarge) { input.reportValidity(); }
      });
    });
  });
});

// --- the field forms without a connection (outbox.js keeps and sends the posts) ----------------------
// Each showing of a form[data-outbox] gets a new idempotency key (a UUID made here). When the browser
// knows it is offline, a sent form is kept in the outbox instead of being posted, the farmer is told so
// and gets an empty form for the next report; the outbox is sent on load, when the connection comes
// back, and by the "Jetzt senden" button. A return (data-outbox="once") already kept is not offered again.
function newIdempotencyKey() {
  if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
  var bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
  return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
}

function freshIdempotencyKeys() {
  document.querySelectorAll("input[data-idempotency-key]").forEach(function (input) { input.value = newIdempotencyKey(); });
}

// A page kept for use without a connection may be older than today: a date field still on the day it
// was shown moves to today.
function todayIso() {
  var now = new Date();
  return now.getFullYear() + "-" + String(now.getMonth() + 1).padStart(2, "0") + "-" + String(now.getDate()).padStart(2, "0");
}

function moveToToday() {
  var today = todayIso();
  document.querySelectorAll("input[data-today]").forEach(function (input) {
    var shown = input.getAttribute("data-today");
    if (today <= shown) { return; }
    if (input.max === shown) { input.max = today; }
    if (input.value === shown) { input.value = today; }
  });
}

var outboxView = {
  box: null,
  words: function (name, values) {
    var text = this.box.getAttribute("data-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  },
  lines: [],
  // Shows the outbox: lines (news of this moment; null keeps the last ones), the waiting count, refused
  // posts with their reason.
  show: function (lines, login) {
    var view = this;
    if (!view.box || !window.mnOutbox) { return Promise.resolve(); }
    if (lines === null) { lines = view.lines; } else { view.lines = lines; }
    return mnOutbox.all().then(function (entries) {
      var waiting = entries.filter(function (entry) { return entry.state === "waiting"; });
      var refused = entries.filter(function (entry) { return entry.state === "refused"; });
      var box = view.box;
      box.textContent = "";
      lines.forEach(function (line) { var p = document.createElement("p"); p.textContent = line; box.appendChild(p); });
      if (waiting.length) {
        var count = document.createElement("p");
        count.setAttribute("data-outbox-waiting", String(waiting.length));
        count.textContent = waiting.length === 1 ? view.words("waiting-one") : view.words("waiting-many", {n: waiting.length});
        box.appendChild(count);
        if (login) {
          var hint = document.createElement("p");
          hint.textContent = view.words("login");
          box.appendChild(hint);
        }
        var send = document.createElement("button");
        send.type = "button";
        send.className = "btn secondary";
        send.textContent = view.words("send-now");
        send.addEventListener("click", function () { replayOutbox(); });
        box.appendChild(send);
      }
      refused.forEach(function (entry) { box.appendChild(view.refusedItem(entry)); });
      box.hidden = !box.childNodes.length;
      box.classList.toggle("error", refused.length > 0);
      view.hideKeptForms(waiting);
    });
  },
  refusedItem: function (entry) {
    var view = this;
    var item = document.createElement("div");
    item.className = "outbox-refused";
    var p = document.createElement("p");
    p.textContent = view.words("refused", {reason: entry.reason});
    item.appendChild(p);
    var form = document.querySelector("form[data-outbox][action='" + new URL(entry.url).pathname + "']");
    if (form) {  // back into the form, with everything typed and the photos, to correct and send again
      var open = document.createElement("button");
      open.type = "button";
      open.className = "btn";
      open.textContent = view.words("refused-open");
      open.addEventListener("click", function () {
        fillForm(form, entry);
        mnOutbox.remove(entry.id).then(function () { view.show(null); });
        var first = form.querySelector("input:not([type=hidden]), select, textarea");
        if (first) { first.focus(); }
      });
      item.appendChild(open);
    }
    var drop = document.createElement("button");
    drop.type = "button";
    drop.className = "btn secondary";
    drop.textContent = view.words("refused-drop");
    drop.addEventListener("click", function () { mnOutbox.remove(entry.id).then(function () { view.show(null); }); });
    item.appendChild(drop);
    return item;
  },
  // A return waiting in the outbox is not offered a second time.
  hideKeptForms: function (waiting) {
    document.querySelectorAll("form[data-outbox='once']").forEach(function (form) {
      var action = new URL(form.action, location.href).href;
      form.hidden = waiting.some(function (entry) { return entry.url === action; });
    });
  }
};

function fillForm(form, entry) {
  var files = {};
  entry.fields.forEach(function (pair) {
    var name = pair[0], value = pair[1];
    if (name === "_csrf_token" || name === "idempotency_key" || name === "for_user") { return; }
    if (typeof value !== "string") { (files[name] = files[name] || []).push(value); return; }
    var controls = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
    controls.forEach(function (control) {
      if (control.type === "radio" || control.type === "checkbox") {
        if (control.value === value) { control.checked = true; }
      } else if (control.type !== "file") {
        control.value = value;
      }
    });
  });
  Object.keys(files).forEach(function (name) {
    var input = form.querySelector("input[type=file][name='" + name.replace(/'/g, "") + "']");
    if (!input || !window.DataTransfer) { return; }
    var transfer = new DataTransfer();
    files[name].forEach(function (blob) { transfer.items.add(new File([blob], blob.name || "foto.jpg", {type: blob.type})); });
    input.files = transfer.files;
  });
}

function replayOutbox() {
  if (!window.mnOutbox) { return Promise.resolve(); }
  return mnOutbox.replay().then(function (summary) {
    var sent = summary.sent === 1 ? outboxView.words("sent-one") : outboxView.words("sent-many", {n: summary.sent});
    return outboxView.show(summary.sent ? [sent] : null, summary.login);
  }).catch(function () { return outboxView.show(null); });
}

function keepInOutbox(form) {
  return mnOutbox.add(form.action, new FormData(form)).then(function () {
    form.reset();
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) { clear.click(); }
    freshIdempotencyKeys();
    moveToToday();
    mnOutbox.registerSync();
    return outboxView.show([outboxView.words("queued")]);
  }).then(function () {
    outboxView.box.scrollIntoView({block: "center"});
  });
}

document.addEventListener("DOMContentLoaded", function () {
  freshIdempotencyKeys();
  moveToToday();
  outboxView.box = document.querySelector("[data-outbox-status]");
  document.querySelectorAll("a[data-if-kept]").forEach(function (link) {
    if (!window.caches) { return; }
    caches.open("mn-pages").then(function (cache) { return cache.match(new URL(link.getAttribute("href"), location.href).href); })
      .then(function (hit) { link.hidden = !hit; });
  });
  if (!window.mnOutbox || !window.indexedDB) { return; }
  if (!outboxView.box) {  // any other page: send what waits (browsers without Background Sync need this)
    if (navigator.onLine !== false) {
      mnOutbox.all().then(function (entries) {
        if (entries.some(function (entry) { return entry.state === "waiting"; })) { mnOutbox.replay(); }
      }).catch(function () {});
    }
    return;
  }
  document.querySelectorAll("form[data-outbox]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine !== false || event.defaultPrevented) { return; }  // online: the browser sends it
      event.preventDefault();
      keepInOutbox(form);
    });
  });
  var lines = [];
  var params = new URLSearchParams(location.search);
  if (params.has("queued")) {  // the service worker kept a post that failed on the way
    lines.push(outboxView.words("queued"));
    params.delete("queued");
    var rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? "?" + rest : "") + location.hash);
  }
  outboxView.show(lines).then(function () { if (navigator.onLine !== false) { replayOutbox(); } });
  window.addEventListener("online", function () { replayOutbox(); });
  if (navigator.serviceWorker) {
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "mn-outbox") {
        var summary = event.data.summary || {};
        var news = summary.sent ? [summary.sent === 1 ? outboxView.words("sent-one")
                                                      : outboxView.words("sent-many", {n: summary.sent})] : null;
        outboxView.show(news, summary.login);
      }
    });
  }
});

window.addEventListener("pageshow", function (event) {
  if (event.persisted) { freshIdempotencyKeys(); }  // back to a form already sent: the next one is a new report
});
