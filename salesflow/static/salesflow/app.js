// Salesflow page behaviour. No inline scripts: the content security policy forbids them.
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches("[data-autosubmit]")) { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
});
// Opportunity kanban: drag a card onto another stage's column; the drop posts through htmx and the server
// answers the re-rendered board (or the board with a translated error if the move is refused).
(function () {
  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".sf-kanban-card[data-opportunity]");
    if (!card) { return; }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-opportunity"));
    card.classList.add("sf-dragging");
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("sf-dragging"); }
    dragged = null;
    document.querySelectorAll(".sf-drop-target").forEach(function (el) { el.classList.remove("sf-drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var col = dragged && event.target.closest && event.target.closest(".sf-kanban-col[data-stage]");
    if (!col) { return; }
    event.preventDefault();
    col.classList.add("sf-drop-target");
  });
  document.addEventListener("dragleave", function (event) {
    var col = event.target.closest && event.target.closest(".sf-kanban-col[data-stage]");
    if (col && !col.contains(event.relatedTarget)) { col.classList.remove("sf-drop-target"); }
  });
  document.addEventListener("drop", function (event) {
    var col = dragged && event.target.closest && event.target.closest(".sf-kanban-col[data-stage]");
    if (!col) { return; }
    event.preventDefault();
    var board = col.closest("#kanban-board");
    var card = dragged;
    if (card.closest(".sf-kanban-col") === col) { return; }
    var params = board.querySelector("#kanban-params");
    var values = {opportunity: card.getAttribute("data-opportunity"), stage: col.getAttribute("data-stage")};
    if (params) {
      values.owner = params.elements.owner.value;
      values.unit = params.elements.unit.value;
    }
    col.querySelector(".sf-kanban-head").after(card);  // optimistic; the server's board replaces it
    window.htmx.ajax("POST", board.getAttribute("data-move-url"),
      {source: col, target: "#kanban-board", swap: "outerHTML", values: values});
  });
})();
