// The app's own script (the CSP allows no inline code): small htmx hooks.

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
  document.querySelectorAll("input[type=file][data-max-files]").forEach(function (input) {
    input.addEventListener("change", function () {
      var max = parseInt(input.getAttribute("data-max-files"), 10);
      input.setCustomValidity(input.files.length > max ? "Höchstens " + max + " Fotos." : "");
    });
  });
});
