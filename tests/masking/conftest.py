from tests.leads.conftest import make_lead  # noqa: F401
from tests.reception.conftest import filed, make_prospect, make_record, people  # noqa: F401
