"""Customer service after the deal (R15: 002 D2.3 "准客户资料留存到成交后，转交客户服务主管"; E7 成交) and seed 004's
conversion rate (转化率) in the funnel."""

ZH_HANS = {
    # the customer's service phase (crm, site)
    "Only the owner, those above them and the customer's service supervisor may see the full phone numbers.":
        "只有负责人、其上级和该客户的客户服务主管可以查看完整电话号码。",
    "Deal won, but nobody serves {name}": "已成交，但无人负责 {name} 的客户服务",
    "No customer-service supervisor serves this customer's unit or any unit above it: add one to the organisation "
    "so the customer is looked after (R15).":
        "该客户所在单位及其上级单位都没有客户服务主管：请在组织架构中设置一位，以便为客户提供服务（R15）。",
    "My service customers": "我的服务客户",
    "Customer service": "客户服务",
    "since %(day)s": "自 %(day)s 起",
    "Customers with a won deal that you serve after the sale (R15).": "已成交、由您负责售后服务的客户（R15）。",
    "In service since": "服务开始日期",
    "No customers handed to you yet.": "还没有转交给您的客户。",
    "The %(n)s most recent of %(total)s.": "共 %(total)s 个，显示最近的 %(n)s 个。",
    # the funnel's conversion rate (seed 004)
    "Conversion rate: prospects and leads that became customers": "转化率：准客户和线索转化为客户的比例",
    "%(converted)s of %(total)s became customers": "%(total)s 个中有 %(converted)s 个成为客户",
}
