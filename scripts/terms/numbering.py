"""Document numbers (issue #12): the numbering service's series and its one error."""

ZH_HANS = {
    "Document numbers": "单据编号",
    "Quotation": "报价单",
    "Contract": "合同",
    "Sales order": "销售订单",
    "Receipt": "收据",
    "series": "编号序列",
    "last number": "当前号码",
    "number counter": "编号计数器",
    "number counters": "编号计数器",
    "There is no document number series “{series}”.": "没有名为“{series}”的单据编号序列。",
}
