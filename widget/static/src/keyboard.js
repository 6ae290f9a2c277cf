// Keyboard rules of the panel: Enter sends (Shift+Enter is a new line, an IME composition
// is left alone); in the dialog, Escape closes it and Tab stays inside it.

const FOCUSABLE =
  'a[href], button:not([disabled]), textarea:not([disabled]), input:not([disabled]), [tabindex]:not([tabindex="-1"])';

function isSendKey(event) {
  return event.key === "Enter" && !event.shiftKey && !event.isComposing;
}

// Keep Tab inside the open dialog: from the last control back to the first and back.
// `active` is the focused element of the panel's shadow root.
function trapTab(event, panel, active) {
  const items = [...panel.querySelectorAll(FOCUSABLE)].filter((el) => el.getClientRects().length);
  if (!items.length) return;
  const first = items[0];
  const last = items[items.length - 1];
  if (event.shiftKey && (active === first || !panel.contains(active))) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !panel.contains(active))) {
    event.preventDefault();
    first.focus();
  }
}
