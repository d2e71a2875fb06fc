from tests.approvals.conftest import discount, r13  # noqa: F401 — the R13 company and the discount factory
from tests.deals.conftest import opportunity  # noqa: F401
