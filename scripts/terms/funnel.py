"""Opportunity funnel wording added with issue #4's speed work."""

ZH_HANS = {
    "furthest stage reached": "到达的最远阶段",
}
