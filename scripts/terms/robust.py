"""Issue #15 robustness: text no field may store, unreadable or oversized request bodies."""

ZH_HANS = {
    "Remove the control characters or invalid characters from this text (they may come from a copied document).":
        "请删除文本中的控制字符或无效字符（可能来自复制的文档）。",
    "The request body could not be read: send JSON (UTF-8).": "无法读取请求内容：请发送 JSON（UTF-8 编码）。",
    "The request is too large.": "请求内容过大。",
}
