"""Issue #15: what belongs to a customer's relationship follows the customer when it changes hands (open
opportunities, draft discount requests, planned visits); closed documents stay with their historical owner."""

ZH_HANS = {
    "Opportunity handed over with its customer": "商机随客户移交",
    "Discount request handed over with its customer": "优惠申请随客户移交",
    "Returned to the pool by the sweep": "系统自动退回公海",
    "Customer returned to the public pool": "客户已退回公海",
    "Customer returned to the public pool: {note}": "客户已退回公海：{note}",
    "Customer handed over with its relationship": "客户已随业务关系移交",
    "This deal closed with its previous owner: you may read it or reopen it.":
        "该商机已由原负责人关闭：您可以查看或重新打开。",
    "This customer is no longer yours: its new owner may reopen the deal.":
        "该客户已不归您负责：可由新负责人重新打开该商机。",
    "This customer is no longer yours: the request waits for its new owner.":
        "该客户已不归您负责：该申请留待新负责人处理。",
}
