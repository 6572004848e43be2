// Filters for a journal table: <div class="ipof-filter" data-table="tbl-claims" data-columns="Status,Section">
// before the table adds one <select> per named column; rows not matching every selection are hidden.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("div.ipof-filter").forEach((box) => {
    const table = document.getElementById(box.dataset.table)?.closest("table")
      || document.querySelector(`table#${box.dataset.table}`);
    if (!table) return;
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    const rows = [...table.querySelectorAll("tbody tr")];
    const selects = box.dataset.columns.split(",").map((name) => {
      const col = headers.indexOf(name.trim());
      const values = [...new Set(rows.map((r) => r.cells[col]?.textContent.trim()))].sort();
      const label = document.createElement("label");
      label.textContent = `${name.trim()}: `;
      const select = document.createElement("select");
      select.innerHTML = `<option value="">all</option>` + values.map((v) => `<option>${v}</option>`).join("");
      label.appendChild(select);
      box.appendChild(label);
      return { col, select };
    });
    const count = document.createElement("span");
    count.className = "ipof-filter-count";
    box.appendChild(count);
    const apply = () => {
      let shown = 0;
      rows.forEach((r) => {
        const ok = selects.every(({ col, select }) => !select.value || r.cells[col]?.textContent.trim() === select.value);
        r.hidden = !ok;
        shown += ok ? 1 : 0;
      });
      count.textContent = ` ${shown} of ${rows.length} rows`;
    };
    selects.forEach(({ select }) => select.addEventListener("change", apply));
    apply();
  });
});

// Figures open full size: a click on a figure's image opens the image itself (SVG or PNG) in a new tab.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("figure img").forEach((img) => {
    img.title = img.title || "Open full size";
    img.addEventListener("click", () => window.open(img.currentSrc || img.src, "_blank", "noopener"));
  });
});

// Scroll cue: a table wider than its container gets a visible "scroll sideways" line above it (and the
// container's shadows), kept up to date when the window is resized. Keyboard users can scroll it too.
(() => {
  const mark = () => {
    document.querySelectorAll("table").forEach((table) => {
      const box = table.closest(".pst-scrollable-table-container") || table.parentElement;
      if (!box) return;
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("ipof-scrolls", scrolls);
      let cue = box.previousElementSibling;
      if (!(cue && cue.classList.contains("ipof-scroll-cue"))) {
        if (!scrolls) return;
        cue = document.createElement("p");
        cue.className = "ipof-scroll-cue";
        cue.setAttribute("aria-hidden", "true");
        cue.textContent = "Wide table: scroll sideways for more columns \u2192";
        box.parentNode.insertBefore(cue, box);
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        const caption = table.querySelector("caption");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
      }
      cue.hidden = !scrolls;
    });
  };
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("load", mark);
  window.addEventListener("resize", mark);
})();

