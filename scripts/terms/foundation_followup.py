"""Customer follow-up, pool and hand-over fields (crm 0005)."""

ZH_HANS = {
    "last contact": "最近联系",
    "next follow-up": "下次跟进",
    "last deal": "最近成交",
    "owned since": "归属起始",
    "pool warning sent": "回收预警已发送",
    "returned to the pool": "退回公海",
    "customer-service supervisor": "客户服务主管",
    "handed to customer service": "移交客服",
    "imports": "导入类型",
    "rows processed": "已处理行数",
}
