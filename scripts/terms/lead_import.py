"""Lead import from Excel/CSV (issue #4) and the import pages shared with the customer import."""

ZH_HANS = {
    # audit, navigation, errors
    "Lead import finished": "线索导入完成",
    "Import leads": "导入线索",
    "The database refused the write; nothing was imported. Try again later.": "数据库拒绝写入，未导入任何数据，请稍后重试。",
    "You cannot assign leads to this team.": "您无权向该小组分配线索。",
    "Map a column to the company or name of the lead.": "请为线索的公司 / 名称指定一列。",
    "Choose a source channel.": "请选择来源渠道。",
    "Choose what to do with the duplicates.": "请选择疑似重复行的处理方式。",
    # check and write summaries
    "row {row} of this file ({reason})": "本文件第 {row} 行（{reason}）",
    "{kind} {name}, owner {owner} ({reason})": "{kind} {name}，负责人 {owner}（{reason}）",
    "pool": "公海",
    "{total} rows checked: {new} new, {dups} look like existing leads, customers or earlier rows.":
        "已检查 {total} 行：{new} 行为新线索，{dups} 行疑似与已有线索、客户或本文件前面的行重复。",
    "{n} have the credit code of an existing customer and are always skipped.":
        "其中 {n} 行与已有客户的统一社会信用代码相同，始终跳过。",
    "Looking for duplicates among the leads, the customers and the file…": "正在与已有线索、客户及本文件内各行比对查重…",
    "{created} leads imported, {skipped} skipped as duplicates.": "已导入 {created} 条线索，跳过 {skipped} 条重复线索。",
    "{n} matched no territory rule you may assign by and wait in the pool.":
        "其中 {n} 条没有匹配到您可用的区域分配规则，已放入公海。",
    # pages
    "Open the lead list": "打开线索列表",
    "%(done)s of %(total)s rows": "已处理 %(done)s / %(total)s 行",
    "Import history": "导入记录",
    "File": "文件",
    "Uploaded by": "上传人",
    "Uploaded": "上传时间",
    "Rows": "行数",
    "Result": "结果",
    "No imports yet.": "暂无导入记录。",
    "Source channel for the whole file": "整个文件的来源渠道",
    "(from the sheet)": "（按表格填写）",
    "Campaign for the whole file": "整个文件的营销活动",
    "They fill the rows whose own cell is empty.": "仅用于填补表格中对应单元格为空的行。",
    "Possible duplicates": "疑似重复",
    "Skip them (recommended)": "跳过疑似重复行（推荐）",
    "Import them anyway": "仍然导入",
    "A row with the credit code of an existing customer is always skipped.":
        "与已有客户统一社会信用代码相同的行始终跳过。",
    "Who gets the leads": "线索分配给谁",
    "Nobody yet: they wait in the public pool": "暂不分配：放入公海等待领取",
    "By the territory rules (a lead no rule matches waits in the pool)": "按区域分配规则（未匹配任何规则的线索放入公海）",
    "You: the imported leads are yours to contact.": "归您本人：导入的线索由您负责联系。",
    "Import the leads": "导入线索",
    "Looks like": "疑似重复对象",
    "always skipped": "始终跳过",
    "row %(row)s of this file": "本文件第 %(row)s 行",
    "Only the first 1,000 are listed.": "仅列出前 1,000 条。",
    "possible duplicate": "疑似重复",
    "Upload an Excel (.xlsx, .xls) or CSV (UTF-8 or GBK) file whose first row holds the column names: an exhibition "
    "list, a purchased list, a partner's export.":
        "上传第一行为列名的 Excel（.xlsx、.xls）或 CSV（UTF-8 或 GBK）文件：展会名单、采购的名单、合作伙伴导出的数据等。",
    "Map its columns to lead fields, and set the source channel and campaign for the whole file if the sheet has "
    "none; every row is checked and errors are listed with the sheet's own row numbers.":
        "将各列对应到线索字段；表格中没有来源渠道和营销活动时，可为整个文件统一设置。系统逐行检查，错误按表格原始行号列出。",
    "Look at the possible duplicates (existing leads, customers, earlier rows of the file), choose whether to skip "
    "them and who gets the leads, then confirm: all rows are imported together, or none.":
        "查看疑似重复的行（已有线索、客户或本文件前面的行），选择是否跳过以及线索分配给谁，然后确认：所有行一起导入，"
        "或全部不导入。",
}
