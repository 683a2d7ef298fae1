// Tables with the class "phone-cards" become one card per row on a phone (phone.css); each cell
// shows its column's name from data-label, copied here from the table's head so that templates
// need not repeat every header. A cell that has its own data-label keeps it.
function labelCells(table) {
  const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
  if (!head) return;
  const names = [];
  for (const cell of head.cells) {
    for (let i = 0; i < cell.colSpan; i++) names.push(cell.textContent.trim().replace(/\s+/g, " "));
  }
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let column = 0;
      for (const cell of row.cells) {
        if (!cell.hasAttribute("data-label") && cell.colSpan === 1) cell.setAttribute("data-label", names[column] || "");
        if (cell.getAttribute("data-label")) wrapContent(cell);
        column += cell.colSpan;
      }
    }
  }
}

// The cell's content in one box, so that on a phone the label and the value are two columns of a
// grid however many tags, links and texts the value holds (phone.css).
function wrapContent(cell) {
  if (cell.firstElementChild && cell.firstElementChild.classList.contains("cell-value") && cell.childNodes.length === 1) return;
  const box = document.createElement("div");
  box.className = "cell-value";
  while (cell.firstChild) box.appendChild(cell.firstChild);
  cell.appendChild(box);
}

function labelAll(root) {
  root.querySelectorAll("table.phone-cards").forEach(labelCells);
}

document.addEventListener("DOMContentLoaded", () => labelAll(document));
// Rows that htmx swaps in (search results, progress) get their labels too.
document.addEventListener("htmx:afterSettle", () => labelAll(document));
