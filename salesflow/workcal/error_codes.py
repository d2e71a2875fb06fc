CALENDAR_YEAR_UNKNOWN = "calendar_year_unknown"  # chinese-calendar has no data for the year
CALENDAR_YEAR_EXISTS = "calendar_year_exists"
CALENDAR_YEAR_MISSING = "calendar_year_missing"
CALENDAR_YEAR_OUT_OF_RANGE = "calendar_year_out_of_range"
CALENDAR_DAY_NOT_EXCEPTION = "calendar_day_not_exception"
CALENDAR_DAY_NOT_FOUND = "calendar_day_not_found"
