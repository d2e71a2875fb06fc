"""Roles of domain.md §1, their data scope and what each may do — the one place permissions are declared."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    GM = "gm", _("General manager")
    MARKETING_VP = "marketing_vp", _("Marketing VP")
    FINANCE_VP = "finance_vp", _("Finance VP")
    SALES_VP = "sales_vp", _("Sales-side VP")
    DIRECTOR = "director", _("Sales director")
    MANAGER = "manager", _("Sales manager")
    SUPERVISOR = "supervisor", _("Sales supervisor")
    REP = "rep", _("Sales rep")
    ASSISTANT = "assistant", _("Sales assistant")
    ACCOUNTANT = "accountant", _("Accountant")
    # 出纳: takes in and pays out the money that the accountant books (an accountant is often the cashier too).
    CASHIER = "cashier", _("Cashier")
    # 销售业务科 (002): fills contract applications, delivery notes, dispatch orders and commission forms and keeps
    # the contract seal (R3); often a sales assistant holds it beside their own role.
    SALES_SECTION = "sales_section", _("Sales business section")
    SERVICE = "service", _("Customer-service supervisor")
    PLANNER = "planner", _("Planning section")
    QC = "qc", _("Quality control")
    WAREHOUSE = "warehouse", _("Warehouse")
    LOGISTICS = "logistics", _("Logistics")


class Scope(models.TextChoices):
    NONE = "none", _("No customer data")
    OWN = "own", _("Own records")
    UNIT = "unit", _("Own unit and below")
    ALL = "all", _("Whole company")


R = Role
ROLE_SCOPE = {
    R.ADMIN: Scope.ALL, R.GM: Scope.ALL, R.MARKETING_VP: Scope.ALL, R.FINANCE_VP: Scope.ALL,
    R.SALES_VP: Scope.ALL, R.DIRECTOR: Scope.ALL, R.ACCOUNTANT: Scope.ALL,
    R.MANAGER: Scope.UNIT, R.SUPERVISOR: Scope.UNIT, R.ASSISTANT: Scope.UNIT, R.SERVICE: Scope.UNIT,
    R.REP: Scope.OWN,
    R.PLANNER: Scope.NONE, R.QC: Scope.NONE, R.WAREHOUSE: Scope.NONE, R.LOGISTICS: Scope.NONE,
    # No customer data until their own documents exist (deposits and receipts; contract applications, the seal
    # register): a person who holds one of these beside another role reads what that role reads.
    R.CASHIER: Scope.NONE, R.SALES_SECTION: Scope.NONE,
}
# Wider first: a person with several roles gets the widest scope of any of them (their union: a unit head's
# subtree holds their own records too, as records carry their owner's unit).
SCOPE_RANK = {Scope.NONE: 0, Scope.OWN: 1, Scope.UNIT: 2, Scope.ALL: 3}


def widest_scope(roles) -> Scope:
    return max((ROLE_SCOPE.get(role, Scope.NONE) for role in roles), key=SCOPE_RANK.__getitem__, default=Scope.NONE)

# Leadership that stands above every rep: they see unmasked phone numbers of all customers in scope.
LEADERSHIP = {R.ADMIN, R.GM, R.MARKETING_VP, R.SALES_VP, R.DIRECTOR}
# Unit heads stand above the reps of their subtree.
UNIT_HEADS = {R.MANAGER, R.SUPERVISOR}

_SALES_EDITORS = {R.ADMIN, R.GM, R.MARKETING_VP, R.SALES_VP, R.DIRECTOR, R.MANAGER, R.SUPERVISOR, R.REP, R.ASSISTANT}
_CUSTOMER_READERS = {role for role, scope in ROLE_SCOPE.items() if scope != Scope.NONE}

CAPABILITIES: dict[str, set] = {
    "customer.view": _CUSTOMER_READERS,
    "customer.edit": _SALES_EDITORS,
    "customer.export": _CUSTOMER_READERS,
    "customer.import": {R.ADMIN, R.DIRECTOR, R.MANAGER, R.SUPERVISOR, R.ASSISTANT, R.REP},
    "customer.reassign": {R.ADMIN, R.GM, R.DIRECTOR, R.SALES_VP, R.MANAGER, R.SUPERVISOR},
    "customer.master_data": {R.ADMIN, R.DIRECTOR},
    # Issue #15: a customer's tier and credit limit are set by a supervisor or above (and finance); a rep proposes.
    "customer.credit_terms": {R.ADMIN, R.GM, R.MARKETING_VP, R.SALES_VP, R.FINANCE_VP, R.DIRECTOR, R.MANAGER,
                              R.SUPERVISOR},
    # Visits (拜访, 002 流程1, R17): reps plan and log their visits; supervisors and managers review the plans
    # of the reps in their unit (leadership: everyone's). Reads follow the customers' data scope.
    "visit.view": _CUSTOMER_READERS,
    "visit.log": _SALES_EDITORS,
    "visit.plan": {R.REP, R.SUPERVISOR, R.MANAGER},
    "visit.review": {R.ADMIN, R.GM, R.DIRECTOR, R.SALES_VP, R.MANAGER, R.SUPERVISOR},
    "org.manage": {R.ADMIN},
    "approvals.manage_policies": {R.ADMIN},
    "approvals.view_policies": _CUSTOMER_READERS,
    "discount.request": {R.REP, R.SUPERVISOR, R.MANAGER, R.ASSISTANT, R.DIRECTOR},
    "audit.view": {R.ADMIN},
    "calendar.manage": {R.ADMIN},
    "token.manage_all": {R.ADMIN},
    # Leads (线索) and the public pool (公海): reps claim, unit heads and leadership assign and configure.
    "lead.view": _CUSTOMER_READERS,
    "lead.edit": _SALES_EDITORS,
    "lead.claim": {R.REP, R.SUPERVISOR, R.MANAGER, R.ASSISTANT},
    "lead.assign": {R.ADMIN, R.GM, R.DIRECTOR, R.SALES_VP, R.MARKETING_VP, R.MANAGER, R.SUPERVISOR},
    "lead.import": {R.ADMIN, R.DIRECTOR, R.MANAGER, R.SUPERVISOR, R.ASSISTANT, R.REP},
    # The lead rules (scoring, pool policies, territory rules): a sales manager for the units of their region,
    # the sales director and the administrator for the whole company (company default and scoring rules).
    "lead.configure": {R.ADMIN, R.DIRECTOR, R.MANAGER},
    "lead.configure_company": {R.ADMIN, R.DIRECTOR},
    # The customers' public pool (公海客户): the people who sell claim; assignment from it is customer.reassign.
    "customer.claim": {R.REP, R.SUPERVISOR, R.MANAGER},
    # Everybody sees their own import jobs; the administrator sees everybody's (support, clean-up).
    "import.view_all": {R.ADMIN},
    # Reception records (接待记录, 002 E2/E3): consultants receive customers and record each visit or call.
    "reception.view": _CUSTOMER_READERS,
    "reception.edit": _SALES_EDITORS,
    # Prospects (准客户, 002 D2/E4/D5): the sales supervisor registers them, registers the customer file the
    # consultant builds and sends (E4 "及时送交销售主管进行登记", D5) and hands the file to customer service after the
    # deal (R15). D2.4 "营销主管的准客户的确认" sits in the supervisor's lane: the office's 营销主管 confirms — by default
    # the sales supervisor; an office may name another supervisor or its regional manager (reception
    # OfficeMarketingLead, named by the region's manager, the director or the administrator). Not the marketing VP.
    "prospect.view": _CUSTOMER_READERS,
    "prospect.register": {R.SUPERVISOR, R.MANAGER, R.DIRECTOR},
    "prospect.confirm": {R.SUPERVISOR, R.MANAGER},
    "prospect.submit_file": {R.REP, R.SUPERVISOR},
    "prospect.name_marketing_lead": {R.ADMIN, R.DIRECTOR, R.MANAGER},
}


def holds_any(user, roles) -> bool:
    """Whether ``user`` holds any of ``roles`` (primary or additional): LEADERSHIP, UNIT_HEADS and the like."""
    if user is None or not user.is_authenticated:
        return False
    return user.holds_any(roles)


def has_capability(user, capability: str) -> bool:
    """Any role the user holds grants it (a supervisor who also sells may do what either may)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.holds_any(CAPABILITIES[capability])
