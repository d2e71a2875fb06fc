"""Audit events (issue #12): the discount request's own transitions, audited on the document (deals/events.py)."""

ZH_HANS = {
    "Discount request submitted for approval": "优惠申请已提交审批",
    "Discount request approved": "优惠申请已批准",
    "Discount request returned": "优惠申请已退回",
}
