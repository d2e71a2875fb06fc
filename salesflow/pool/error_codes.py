# The customers' public pool (公海客户). "Already claimed" is the customer file's own answer (crm), shared here.
from salesflow.crm.error_codes import CUSTOMER_ALREADY_CLAIMED  # noqa: F401

CUSTOMER_CLAIM_CAP_REACHED = "customer_claim_cap_reached"
CUSTOMER_NOT_IN_POOL = "customer_not_in_pool"
# The pool policy pages.
POLICY_DEFAULT_REQUIRED = "lead_policy_default_required"
