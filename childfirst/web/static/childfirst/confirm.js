// The confirmation step of childfirst/confirm.py as a native <dialog>: the browser traps focus in it
// and Esc cancels. A link or GET form marked data-confirm fetches the server's own confirmation form
// (the same one the page shows without JavaScript) and shows it modally; if anything fails, the
// browser simply goes to the confirmation page.
(() => {
  "use strict";
  let opener = null;

  function dialogElement() {
    let dialog = document.getElementById("confirm-dialog");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.id = "confirm-dialog";
      dialog.className = "confirm-dialog";
      dialog.setAttribute("aria-labelledby", "confirm-title");
      dialog.addEventListener("close", () => {
        dialog.replaceChildren();
        if (opener) opener.focus();
      });
      document.body.appendChild(dialog);
    }
    return dialog;
  }

  async function open(url, trigger, fallback, body) {
    let response;
    try {
      const init = { headers: { "X-Confirm-Step": "dialog" }, credentials: "same-origin" };
      if (body) Object.assign(init, { method: "POST", body });
      response = await fetch(url, init);
    } catch (_error) {
      fallback();
      return;
    }
    if (!response.ok) {
      fallback();
      return;
    }
    const html = await response.text();
    const dialog = dialogElement();
    const step = new DOMParser().parseFromString(html, "text/html").querySelector("form.confirm-form");
    if (!step) {
      fallback();
      return;
    }
    opener = trigger;
    dialog.replaceChildren(document.importNode(step, true));
    dialog.showModal();
    // Keyboard users start in the first field; the dialog stays scrolled to its top, where the
    // consequences are, so that they are read first.
    const first = dialog.querySelector("textarea, input:not([type=hidden]), select");
    if (first) first.focus({ preventScroll: true });
    dialog.scrollTop = 0;
  }

  document.addEventListener("click", (event) => {
    const cancel = event.target.closest("[data-confirm-cancel]");
    if (cancel && cancel.closest("dialog")) {
      event.preventDefault();
      cancel.closest("dialog").close();
      return;
    }
    const link = event.target.closest("a[data-confirm]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    open(link.href, link, () => { window.location.href = link.href; });
  });

  // form.submit() leaves out the button that was pressed (e.g. step=close): carry it as a field.
  function submitPlainly(form, submitter) {
    if (submitter && submitter.name) {
      const carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = submitter.name;
      carried.value = submitter.value;
      form.appendChild(carried);
    }
    form.submit();
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || form.dataset.confirm === undefined) return;
    if (form.closest("dialog")) return; // the step's own form posts normally
    event.preventDefault();
    const submitter = event.submitter || null;
    const data = new FormData(form, submitter);
    const trigger = submitter || form;
    if (form.method === "get") {
      const url = new URL(form.action, window.location.href);
      for (const [name, value] of data) url.searchParams.append(name, value);
      open(url.href, trigger, () => { window.location.href = url.href; });
    } else {
      // Without the confirmation the server answers the POST with the step and changes nothing.
      open(form.action, trigger, () => submitPlainly(form, submitter), data);
    }
  });
})();
