"""Uploads that cannot exhaust memory (issue #15): the worker reads the file within caps."""

ZH_HANS = {
    "Received, reading the file": "已接收，正在读取文件",
    "size unzipped": "解压后大小",
    "The file is larger than {mb} MB.": "文件超过 {mb} MB。",
    "The file holds more than {mb} MB of text.": "文件中的文字超过 {mb} MB。",
    "The workbook's part {part} expands to more than {mb} MB.": "工作簿的组成部分 {part} 解压后超过 {mb} MB。",
    "The workbook's part {part} is compressed more than {ratio} times; it is refused as a possible zip bomb.":
        "工作簿的组成部分 {part} 压缩比超过 {ratio} 倍，疑为压缩炸弹，已拒绝。",
    "The workbook expands to more than {mb} MB.": "工作簿解压后超过 {mb} MB。",
    "The workbook has more than {n} cells.": "工作簿的单元格超过 {n} 个。",
}
