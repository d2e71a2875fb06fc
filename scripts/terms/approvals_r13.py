"""The R13 chain as seed 002 writes it (issue #13): gate and opinion stages, decisions by submitting, the same-day
cut-off, the A9 answer with the approved terms."""

ZH_HANS = {
    "Approve or reject": "审批（同意/驳回）",
    "Opinion (always forwarded)": "审核意见（均上报）",
    "stage type": "环节类型",
    "Stage type": "环节类型",
    "same-day cut-off": "当日截止时间",
    "Opinions given": "已签署意见",
    "Agrees": "同意",
    "Disagrees": "不同意",
    "Agree": "同意",
    "Disagree": "不同意",
    "decided by submitting": "提交即决定",
    "By submitting": "提交即决定",
    "Gave an opinion": "签署意见",
    "Stage decided by submitting": "提交即完成本环节",
    "Nobody can decide the stage “{stage}”: check the organisation (roles and managers) or ask an administrator.":
        "环节“{stage}”无人可以审批：请检查组织架构（角色与上级），或联系系统管理员。",
    "Stage: {stage}.": "环节：{stage}。",
    "Write your opinion: it goes up with the papers.": "请填写意见：意见将随资料一并上报。",
    "Stage {n}: the stage type must be gate or opinion.": "第 {n} 个环节：环节类型须为 gate（审批）或 opinion（审核意见）。",
    "The same-day cut-off is a time of day, e.g. 16:00.": "当日截止时间须为一天中的时刻，例如 16:00。",
    "Approved terms: {amount} with a discount of {percent} ({discount}).":
        "批准的优惠条件：成交金额 {amount}，优惠 {percent}（优惠金额 {discount}）。",
    "Opinions reported": "上报的审核意见",
    "for %(other)s": "代 %(other)s",
    "Your opinion goes up with the papers whether you agree or not; the next stage decides.":
        "无论同意与否，您的意见都将随资料上报，由下一环节决定。",
    "Your opinion (required)": "您的意见（必填）",
    "No deadline": "无时限",
    "the same working day (started after %(time)s: the next)": "当日内（%(time)s 之后开始的顺延至下一工作日）",
    "Submitted for approval (R13: the reviews reach the general manager the same working day).":
        "已提交审批（R13：审核意见当日上报总经理）。",
    "R13: the sales supervisor decides whether to offer the discount (a supervisor's own request is that decision), "
    "the sales manager and the marketing VP each sign their opinion and pass it up the same working day, and the "
    "general manager decides on the papers and the opinions.":
        "R13：销售主管决定是否给予优惠（主管本人提出的申请即为该决定），销售经理与营销副总分别签署意见并当日上报，"
        "总经理根据上报的资料及意见审批。",
    "Your opinion was recorded and sent up.": "您的意见已记录并上报。",
}
