"""The import framework (issue #12): the import job of any kind and the shared import pages."""

ZH_HANS = {
    "data import": "数据导入",
    "data imports": "数据导入",
    "Warnings": "警告",
}
