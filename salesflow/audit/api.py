from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import paginate

from salesflow.core.masking import mask_data
from salesflow.core.pagination import PageNumberPagination

from .selectors import AuditFilters, audit_event_list

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: datetime
    actor_name: str
    ip: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    customer_id: int | None
    before: dict | None
    after: dict | None
    note: str

    # Defence in depth (issue #15): rows are masked when written and old ones by audit 0004; the API masks again.
    @staticmethod
    def resolve_before(obj) -> dict | None:
        return mask_data(obj.before)

    @staticmethod
    def resolve_after(obj) -> dict | None:
        return mask_data(obj.after)


@router.get("", response=list[AuditEventOut])
@paginate(PageNumberPagination, page_size=50)
def list_events(request, actor: str = "", action: str = "", object_type: str = "", object_id: str = "",
                since: datetime | None = None, until: datetime | None = None):
    return audit_event_list(user=request.user, filters=AuditFilters(
        actor=actor, action=action, object_type=object_type, object_id=object_id, since=since, until=until))
