// The entry page: a rate's value shown as it is typed (the server computes the stored value), warnings
// while typing (they never block: errors are the server's), one domain at a time with a jump list,
// and back to the row the user was at after saving.
(function () {
  function clean(text) { return text.normalize("NFKC").replace(/[\s,，]/g, ""); }

  // A typed number as the server reads it, or NaN; "90%" and, for a percentage, 0.9 are ninety percent.
  function number(input, unit) {
    if (!input) return NaN;
    var text = clean(input.value);
    var sign = /[%‰]$/.test(text);
    text = text.replace(/[%‰]$/, "");
    if (text === "" || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return NaN;
    var value = Number(text);
    if (unit === "%" && !sign && value > 0 && value <= 1) value = value * 100;
    return value;
  }

  function part(row, name) { return row.querySelector('input[data-part="' + name + '"]'); }

  function warnings(row, block, form) {
    var found = [];
    var unit = block.dataset.unit;
    var n = number(part(row, "numerator")), d = number(part(row, "denominator"));
    var value = NaN;
    if (isFinite(n) && isFinite(d) && d > 0) value = n / d * parseFloat(block.dataset.scale);
    else value = number(part(row, "value"), unit);
    if (block.hasAttribute("data-proportion") && isFinite(n) && isFinite(d) && n > d) {
      found.push(form.dataset.msgAboveDenominator);
    }
    if (unit === "%" && value > 100) found.push(form.dataset.msgOver100);
    var last = parseFloat(row.dataset.lastYear);
    if (block.dataset.yoyThreshold && isFinite(value) && isFinite(last)) {
      var relative = block.dataset.yoyRelative === "1";
      var change = relative ? (last === 0 ? NaN : (value - last) / Math.abs(last)) : value - last;
      var off = Math.abs(change - parseFloat(block.dataset.yoyCentre));
      if (isFinite(off) && off > parseFloat(block.dataset.yoyThreshold)) {
        found.push(form.dataset.msgYoy.replace("{previous}", (Math.round(last * 100) / 100).toString()));
      }
    }
    return { value: value, messages: found };
  }

  function update(row) {
    var block = row.closest("[data-scale]");
    var form = row.closest("form");
    if (!block || !form) return;
    var judged = warnings(row, block, form);
    var out = row.querySelector("output");
    var n = number(part(row, "numerator")), d = number(part(row, "denominator"));
    if (out && (part(row, "numerator") || part(row, "denominator"))) {
      out.textContent = (isFinite(n) && isFinite(d) && d > 0) ? (Math.round(judged.value * 100) / 100).toString() : "";
    }
    var shown = row.querySelector("[data-warning]");
    if (shown) shown.textContent = judged.messages.join("；");
    row.classList.toggle("row-typing-warning", judged.messages.length > 0);
  }

  // ----- one domain at a time -------------------------------------------------------------------
  function showDomain(code) {
    var form = document.getElementById("entry-form");
    if (!form) return;
    form.querySelectorAll("section[data-domain]").forEach(function (section) {
      // A domain holding a refused value stays in view until it is saved right.
      section.hidden = section.dataset.domain !== code && !section.querySelector(".row-error");
    });
    form.elements.domain.value = code;
    document.querySelectorAll("[data-domain-tab]").forEach(function (tab) {
      if (tab.dataset.domainTab === code) tab.setAttribute("aria-current", "true");
      else tab.removeAttribute("aria-current");
    });
    var url = new URL(window.location.href);
    url.searchParams.set("domain", code);
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  // Bring an element of the page into view, opening its domain first; false if it is not on the page.
  function reveal(id, focus) {
    var target = id && document.getElementById(id);
    if (!target) return false;
    var section = target.closest("section[data-domain]");
    if (section && section.hidden) showDomain(section.dataset.domain);
    var folded = target.closest("details");
    if (folded) folded.open = true;
    target.scrollIntoView({ block: "start" });
    if (focus && target.matches("input, select, button")) target.focus({ preventScroll: true });
    return true;
  }

  document.addEventListener("input", function (event) {
    var row = event.target.closest("tr[data-row]");
    if (row) update(row);
  });

  document.addEventListener("click", function (event) {
    // A domain's tab shows it in place: nothing typed is sent or lost.
    var tab = event.target.closest("[data-domain-tab]");
    if (tab) {
      event.preventDefault();
      showDomain(tab.dataset.domainTab);
      var section = document.querySelector('section[data-domain="' + tab.dataset.domainTab + '"]');
      if (section) section.scrollIntoView({ block: "start" });
      return;
    }
    // Links to a place on this page (the error list, the items to resolve) open its domain.
    var link = event.target.closest("a[href*='#']");
    if (link) {
      var url = new URL(link.href, window.location.href);
      if (url.pathname === window.location.pathname && reveal(decodeURIComponent(url.hash.slice(1)), true)) {
        event.preventDefault();
        history.replaceState(null, "", window.location.pathname + window.location.search + url.hash);
      }
      return;
    }
    // A suggestion's "Fill in" (prefill.py): put its numbers in the row's empty fields, never over typed ones.
    var button = event.target.closest("button[data-prefill]");
    if (!button) return;
    var row = button.closest("tr[data-row]");
    ["numerator", "denominator", "value", "source_note"].forEach(function (name) {
      var given = button.getAttribute("data-" + name);
      var input = row.querySelector('input[name="' + row.dataset.row + "|" + name + '"]');
      if (given && input && !input.value.trim()) input.value = given;
    });
    update(row);
    button.disabled = true;
  });

  // Where the user is: the row last focused, sent with the save so that the page comes back to it.
  document.addEventListener("focusin", function (event) {
    var form = document.getElementById("entry-form");
    var row = event.target.closest("#entry-form tr[id]");
    if (form && row) form.elements.at.value = row.id;
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "entry-form") return;
    // The fragment also brings the page back to the row when the save answers with refused values.
    var at = form.elements.at.value;
    if (at) form.action = window.location.pathname + window.location.search + "#" + at;
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("tr[data-row]").forEach(update);
    var jump = document.querySelector("select[data-jump]");
    if (jump) {
      jump.closest("label").hidden = false;
      jump.selectedIndex = -1;
      jump.addEventListener("change", function () {
        reveal(jump.value, false);
        history.replaceState(null, "", window.location.pathname + window.location.search + "#" + jump.value);
      });
    }
    if (window.location.hash) reveal(decodeURIComponent(window.location.hash.slice(1)), false);
  });
})();
