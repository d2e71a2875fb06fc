NUMBERING_UNKNOWN_SERIES = "numbering_unknown_series"
