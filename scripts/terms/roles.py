"""People with more than one role (兼任角色, issue #13): the cashier (出纳), the sales business section that keeps the
contract seal (销售业务科), and the user pages and API that manage a person's additional roles."""

ZH_HANS = {
    "Cashier": "出纳",
    "Sales business section": "销售业务科",
    "additional role": "兼任角色",
    "additional roles": "兼任角色",
    "Additional role": "兼任角色",
    "Additional roles": "兼任角色",
    "Roles this person holds beside the main one (a supervisor who also sells, an accountant who is also the "
    "cashier): they may do what any of their roles may and see what the widest of them sees. The main role names "
    "them on pages.":
        "此人在主要角色之外兼任的角色（如兼做销售的销售主管、兼任出纳的会计）：可以做其任一角色可做的事，"
        "数据范围取其中最宽者。页面上以主要角色显示。",
    "Give the additional roles as a list of role codes.": "兼任角色须为角色代码列表。",
    "Unknown role: {roles}.": "未知角色：{roles}。",
}
