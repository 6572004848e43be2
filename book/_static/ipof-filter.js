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
