// Behaviour shared by every page, kept out of the markup so that the Content-Security-Policy can
// forbid inline scripts: a <select data-autosubmit> submits its form when changed.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.dataset.autosubmit !== undefined && target.form) {
    target.form.submit();
  }
});
