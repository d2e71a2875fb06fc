"""Working calendars for the demo (approval deadlines count working days)."""

from salesflow.demo.context import DemoContext
from salesflow.demo.registry import builder

from .models import CalendarYear
from .services import calendar_load_known_years


@builder(order=300)
def build_calendar(ctx: DemoContext) -> None:
    """Working calendars for every year chinese-calendar knows."""
    before = CalendarYear.objects.count()
    calendar_load_known_years(by=None)
    ctx.count("calendar years", CalendarYear.objects.count() - before)
