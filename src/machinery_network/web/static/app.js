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
