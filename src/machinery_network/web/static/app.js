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
