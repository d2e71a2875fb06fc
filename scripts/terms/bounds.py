"""Issue #15 bounds: delegation within bounds, API token expiry, credit terms set by supervisors and above, pool
leads claimed before they are worked, visits not back-dated beyond the window."""

ZH_HANS = {
    # approvals: delegation
    "{name} cannot stand in for these approvals: choose someone with the same role or a higher one, in the same "
    "region or above it.": "{name} 不能代为审批：请选择角色相同或更高、且在同一大区或上级单位的同事。",
    # org: API tokens
    "expires": "到期时间",
    "Expires": "到期",
    "Expired": "已过期",
    "Replaced by a new token of the same name": "已被同名的新令牌取代",
    "You already hold {count} live API tokens, the most allowed; revoke one first.":
        "您已持有 {count} 个有效的 API 令牌，已达上限；请先吊销一个。",
    # crm: credit terms
    "Tier and credit limit are set by your supervisor or above: ask them to change it.":
        "客户等级和信用额度由销售主管及以上设定：请联系主管修改。",
    # leads: claim before working a pool lead
    "Claim the lead before screening it.": "请先领取该线索再进行筛选。",
    "Claim the lead before converting it.": "请先领取该线索再进行转化。",
    # visits: back-dating window
    "A visit is logged within {days} days of happening.": "拜访须在发生后 {days} 天内登记。",
}
