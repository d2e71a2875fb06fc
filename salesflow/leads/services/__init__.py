"""Every change to a lead: check permission, lock, check, write, audit — in one transaction. One module per
area: ``common`` (validation, duplicates, scoring, permission and lock helpers), ``records`` (create,
screen, first contact, conversion), ``assignment`` (by hand, round-robin, territory; claim and release),
``bulk`` (lead_create_many, for the import), ``sweep`` (back to the pool when not contacted in time),
``org_hooks`` (deactivation and team moves), ``rules`` (scoring and territory rules pages).

Lock order, so two writers never wait on each other in a cycle: the claiming rep's user row, then the lead,
then the team's round-robin cursor.
"""

from .assignment import (  # noqa: F401
    AssignMode,
    lead_assign,
    lead_claim,
    lead_release,
)
from .bulk import (  # noqa: F401
    BULK_FIELDS,
    LEVEL_FIELDS,
    BulkAssign,
    LeadsCreated,
    lead_create_many,
)
from .common import (  # noqa: F401
    AUDITED_FIELDS,
    CHOICE_FIELDS,
    TEXT_LIMITS,
    WORKING_ROLES,
    LeadDuplicate,
    clean_lead,
    lead_find_duplicates,
    lead_score,
    scoring_table,
)
from .org_hooks import (  # noqa: F401
    leads_follow_owner_unit,
    leads_transfer_all,
)
from .records import (  # noqa: F401
    lead_convert,
    lead_create,
    lead_mark_contacted,
    lead_screen,
)
from .sweep import (  # noqa: F401
    leads_sweep,
)
