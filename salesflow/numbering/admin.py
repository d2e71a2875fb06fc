from django.contrib import admin

from .models import NumberCounter


@admin.register(NumberCounter)
class NumberCounterAdmin(admin.ModelAdmin):
    """Read-only: a counter changed by hand would repeat or skip numbers of a register that must have no gaps."""

    list_display = ("series", "year", "last_number", "updated_at")
    list_filter = ("series", "year")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
