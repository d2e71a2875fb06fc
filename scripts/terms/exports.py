"""Issue #15 exports: every export audited, an approval above the role's row limit, the requester's one download."""

ZH_HANS = {
    # app, model and states
    "Exports": "导出",
    "Export request": "导出申请",
    "export request": "导出申请",
    "export requests": "导出申请",
    "Downloaded": "已下载",
    "downloaded": "下载时间",
    "Returned": "已退回",
    "download": "下载",
    "list": "列表",
    "filters": "筛选条件",
    "filters (as asked)": "筛选条件（申请时）",
    "rows when asked": "申请时行数",
    "row limit when asked": "申请时行数上限",
    "rows downloaded": "下载行数",
    # audit events
    "List exported": "列表已导出",
    "Export approval requested": "已申请导出审批",
    "Export approved": "导出已批准",
    "Export request returned": "导出申请已退回",
    # messages
    "Export request not found.": "未找到该导出申请。",
    "Export requested: {rows} rows, waiting for approval.": "已申请导出：{rows} 行，等待审批。",
    "Only the person who asked for this export can download it.": "只有申请人本人可以下载此导出文件。",
    "The approval of this export ran out after {days} days; ask again.": "此导出的批准已超过 {days} 天失效，请重新申请。",
    "There is no such list to export.": "没有可导出的此类列表。",
    "This export has been downloaded already; ask again.": "此导出已下载过，如需再次导出请重新申请。",
    "This export has not been approved.": "此导出尚未获批准。",
    "This export is within your limit; download it directly.": "此导出未超过您的行数上限，请直接下载。",
    "This export needs approval ({rows} rows > {limit}).": "此导出需要审批（{rows} 行 > {limit} 行）。",
    # pages
    "This export needs approval": "此导出需要审批",
    "%(label)s: this export needs approval (%(rows)s rows &gt; %(limit)s).":
        "%(label)s：此导出需要审批（%(rows)s 行 &gt; %(limit)s 行）。",
    "Your manager decides. Once approved, you can download the file once, with these filters, from My exports.":
        "由您的直属上级审批。批准后，您可在“我的导出”中按上述筛选条件下载一次。",
    "Request approval": "申请审批",
    "My exports": "我的导出",
    "No export requests. An export above your row limit asks for an approval and waits here.":
        "暂无导出申请。超过您行数上限的导出需先申请审批，并在此等待。",
    "Approval": "审批",
    "Asked": "申请时间",
    "Filters": "筛选条件",
    "Rows when asked": "申请时行数",
    "Download by": "下载截止",
    "Download (once)": "下载（仅一次）",
}
