IMPORT_FILE_INVALID = "import_file_invalid"
IMPORT_MAPPING_INVALID = "import_mapping_invalid"
IMPORT_ROWS_INVALID = "import_rows_invalid"
IMPORT_NOT_READY = "import_not_ready"
