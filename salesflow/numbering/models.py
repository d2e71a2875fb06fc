"""One counter row per document series and year: the last number given out (numbers restart at 1 each year)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .series import DocumentSeries


class NumberCounter(models.Model):
    series = models.CharField(_("series"), max_length=32, choices=DocumentSeries.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("number counter")
        verbose_name_plural = _("number counters")
        ordering = ["series", "-year"]
        constraints = [
            # The lock of this one row is what makes the numbers unique and consecutive (services.next_number).
            models.UniqueConstraint(fields=["series", "year"], name="numbering_counter_one_per_series_and_year"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=9999),
                                   name="numbering_counter_year_has_four_digits"),
        ]

    def __str__(self) -> str:
        return f"{self.get_series_display()} {self.year}: {self.last_number}"
