"""A policy's stages drawn as a swimlane flowchart (inline SVG), the way the company's process charts are drawn
(002, 销售部业务管理流程图): one lane per role, the requester's lane first, stages placed left to right by step.

Plain SVG with presentation attributes (fill=, stroke=) and no style= attributes, so it passes the strict
content security policy; every text is escaped.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from salesflow.org.roles import Role

from .models import ApproverRule

LANE_HEADER = 120
LANE_HEIGHT = 72
COLUMN = 190
BOX_W, BOX_H = 156, 44
TOP = 8
BOTTOM_GAP = 34  # room under the last lane for the rejection line
MAX_CHARS = 22  # width units (a CJK character counts two) before a stage name is shortened

COLOURS = {
    # state: (fill, stroke, text)
    "current": ("#ffe3c2", "#fd7e14", "#7a3b00"),
    "done": ("#d1f0dc", "#198754", "#0f5132"),
    "waiting": ("#ffffff", "#6c757d", "#212529"),
    "terminal": ("#e7f1fb", "#1f4e79", "#1f4e79"),
}


def _get(stage, key: str):
    return stage.get(key) if isinstance(stage, dict) else getattr(stage, key, None)


def lane_key(stage) -> tuple[str, str]:
    rule = _get(stage, "rule") or ""
    return rule, (_get(stage, "role") or "") if rule == ApproverRule.ROLE else ""


def lane_label(rule: str, role: str = "") -> str:
    """Who approves, named the way the organisation names them (销售主管, 销售经理, 总经理…)."""
    if rule == ApproverRule.REQUESTER_SUPERVISOR:
        return str(Role.SUPERVISOR.label)
    if rule == ApproverRule.REGION_MANAGER:
        return str(Role.MANAGER.label)
    if rule == ApproverRule.REQUESTER_MANAGER:
        return _("Line manager")
    if rule == ApproverRule.ROLE:
        return str(Role(role).label) if role in Role.values else role
    return rule


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _shorten(text: str, limit: int = MAX_CHARS) -> str:
    if _width(text) <= limit:
        return text
    out, used = "", 0
    for ch in text:
        used += 2 if ord(ch) > 0x2E7F else 1
        if used > limit - 1:
            break
        out += ch
    return out + "…"


def _lines(text: str, limit: int) -> list[str]:
    """One line, or two split at a space (English role names); CJK names fit in one."""
    if _width(text) <= limit or " " not in text:
        return [_shorten(text, limit)]
    words, first = text.split(" "), ""
    while words and _width(f"{first} {words[0]}".strip()) <= limit:
        first = f"{first} {words.pop(0)}".strip()
    if not first:
        first = words.pop(0)
    return [_shorten(first, limit), _shorten(" ".join(words), limit)] if words else [_shorten(first, limit)]


def _lane_text(label: str, y: int) -> str:
    lines = _lines(label, 18)
    top = y + LANE_HEIGHT // 2 + 4 - (len(lines) - 1) * 7
    spans = "".join(f'<tspan x="{LANE_HEADER // 2}" y="{top + i * 15}">{escape(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (f'<text class="sf-fc-lane-label" text-anchor="middle" font-size="12" font-weight="600" '
            f'fill="#212529"><title>{escape(label)}</title>{spans}</text>')


def _box(x: int, y: int, text: str, state: str, *, step: int | None = None, rounded: int = 6) -> str:
    fill, stroke, ink = COLOURS[state]
    attrs = f'data-state="{state}"' + (f' data-step="{step}"' if step is not None else "")
    width = 3 if state == "current" else 1.5
    return (
        f'<g class="sf-fc-box" {attrs}><title>{escape(text)}</title>'
        f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{BOX_H}" rx="{rounded}" fill="{fill}" stroke="{stroke}" '
        f'stroke-width="{width}"/>'
        f'<text x="{x + BOX_W // 2}" y="{y + BOX_H // 2 + 4}" text-anchor="middle" font-size="12" '
        f'fill="{ink}">{escape(_shorten(text))}</text></g>'
    )


def flowchart_svg(stages, current_steps: set[int] | frozenset = frozenset(),
                  done_steps: set[int] | frozenset = frozenset()) -> SafeString:
    """Stages (PolicyStage, ApprovalStep or dicts with step/name/rule/role) as a swimlane chart.

    Boxes of the current step are drawn orange and boxes of finished steps green; stages sharing a step
    number (parallel review, e.g. C9 and B9) stand in the same column."""
    stages = sorted(stages, key=lambda s: (_get(s, "step") or 0))
    lanes: list[tuple[str, str]] = []
    for s in stages:
        key = lane_key(s)
        if key not in lanes:
            lanes.append(key)
    steps = sorted({_get(s, "step") for s in stages})
    column_of = {step: i + 1 for i, step in enumerate(steps)}
    n_lanes = len(lanes) + 1
    width = LANE_HEADER + COLUMN * (len(steps) + 2)
    height = TOP + n_lanes * LANE_HEIGHT + BOTTOM_GAP

    def box_x(column: int) -> int:
        return LANE_HEADER + column * COLUMN + (COLUMN - BOX_W) // 2

    def box_y(lane: int) -> int:
        return TOP + lane * LANE_HEIGHT + (LANE_HEIGHT - BOX_H) // 2

    title, rejected = _("Approval flowchart"), _("Rejected: back to the requester")  # outside f-strings: xgettext
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sf-flowchart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="system-ui, sans-serif">',
        '<defs><marker id="sf-fc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#495057"/></marker>'
        '<marker id="sf-fc-arrow-red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#dc3545"/></marker></defs>',
    ]
    labels = [_("Sales rep (requester)")] + [lane_label(*key) for key in lanes]
    for i, label in enumerate(labels):
        y = TOP + i * LANE_HEIGHT
        fill = "#f8f9fa" if i % 2 == 0 else "#ffffff"
        parts.append(f'<g class="sf-fc-lane" data-lane="{i}">'
                     f'<rect x="0" y="{y}" width="{width}" height="{LANE_HEIGHT}" fill="{fill}" stroke="#dee2e6"/>'
                     f'<rect x="0" y="{y}" width="{LANE_HEADER}" height="{LANE_HEIGHT}" fill="#e9ecef" '
                     f'stroke="#dee2e6"/>'
                     f'{_lane_text(label, y)}</g>')

    # Box centres per column, so arrows can join each column to the next (fan out / fan in for parallel stages).
    submit = (box_x(0), box_y(0))
    approved = (box_x(len(steps) + 1), box_y(0))
    columns: list[list[tuple[int, int]]] = [[submit]] + [[] for _ in steps] + [[approved]]
    gates: dict[int, list[tuple[int, int]]] = {}  # per column, the boxes that can reject (opinions always go on)
    boxes = [_box(*submit, _("Submit"), "terminal", rounded=22)]
    all_done = bool(steps) and set(steps) <= set(done_steps)
    boxes.append(_box(*approved, _("Approved"), "done" if all_done else "terminal", rounded=22))
    for s in stages:
        step = _get(s, "step")
        pos = (box_x(column_of[step]), box_y(lanes.index(lane_key(s)) + 1))
        columns[column_of[step]].append(pos)
        if (_get(s, "kind") or "gate") == "gate":
            gates.setdefault(column_of[step], []).append(pos)
        state = "current" if step in current_steps else "done" if step in done_steps else "waiting"
        boxes.append(_box(*pos, str(_get(s, "name") or ""), state, step=step))

    arrows = []
    for left, right in zip(columns, columns[1:], strict=False):
        for x1, y1 in left:
            for x2, y2 in right:
                sx, sy, ex, ey = x1 + BOX_W, y1 + BOX_H // 2, x2, y2 + BOX_H // 2
                mid = sx + (ex - sx) // 2
                arrows.append(f'<path class="sf-fc-flow" d="M{sx},{sy} H{mid} V{ey} H{ex}" fill="none" '
                              f'stroke="#495057" stroke-width="1.5" marker-end="url(#sf-fc-arrow)"/>')

    # A rejection at a gate sends the document back to its author; an opinion stage (R13's C9/B9) never does.
    if gates:
        base = TOP + n_lanes * LANE_HEIGHT + BOTTOM_GAP // 2
        for column in gates.values():
            x, y = max(column, key=lambda p: p[1])
            cx = x + BOX_W // 2 + 20
            arrows.append(f'<path class="sf-fc-reject" d="M{cx},{y + BOX_H} V{base}" fill="none" stroke="#dc3545" '
                          f'stroke-width="1.2" stroke-dasharray="5 3"/>')
        first_x = max(p[0] for p in gates[max(gates)]) + BOX_W // 2 + 20
        sx = submit[0] + BOX_W // 2
        arrows.append(f'<path class="sf-fc-reject" d="M{first_x},{base} H{sx} V{submit[1] + BOX_H}" fill="none" '
                      f'stroke="#dc3545" stroke-width="1.2" stroke-dasharray="5 3" '
                      f'marker-end="url(#sf-fc-arrow-red)"/>')
        arrows.append(f'<text class="sf-fc-reject-label" x="{sx + 8}" y="{base - 5}" font-size="12" '
                      f'fill="#dc3545">{escape(rejected)}</text>')
    parts += arrows + boxes + ["</svg>"]
    return mark_safe("".join(parts))  # noqa: S308 — every text above went through escape()
