"""Opportunity funnel wording added with issue #4's speed work."""

ZH_HANS = {
    "furthest stage reached": "到达的最远阶段",
    "Stage change": "阶段变更",
    "Activity": "活动记录",
    "Customer changes": "客户档案变更",
}
