"""The customer file's audit events: customers, contacts, groups, the import, and the pool's changes of owner
(recorded here because the crm services write those rows; the pool app records its sweep's events)."""

from django.utils.translation import gettext_lazy as _

from salesflow.audit.events import declare

CUSTOMER_CREATED = declare("customer.created", _("Customer created"))
CUSTOMER_UPDATED = declare("customer.updated", _("Customer updated"))
CUSTOMER_ARCHIVED = declare("customer.archived", _("Customer archived"))
CUSTOMER_RESTORED = declare("customer.restored", _("Customer restored"))
CUSTOMER_REASSIGNED = declare("customer.reassigned", _("Customer reassigned"))
CUSTOMER_PHONES_REVEALED = declare("customer.phones_revealed", _("Full phone numbers shown"))
CONTACT_ADDED = declare("contact.added", _("Contact added"))
CONTACT_UPDATED = declare("contact.updated", _("Contact updated"))
CONTACT_REMOVED = declare("contact.removed", _("Contact removed"))
CUSTOMER_GROUP_CREATED = declare("customer_group.created", _("Customer group created"))

# The customer import: one event per customer, and one when the import is done.
CUSTOMER_IMPORTED = declare("customer.imported", _("Customer imported"))
CUSTOMER_IMPORT_FINISHED = declare("customer.import_finished", _("Customer import finished"))

# The public pool: claimed by a rep, assigned from the pool by a manager, released by the owner.
CUSTOMER_CLAIMED = declare("customer.claimed", _("Customer claimed from the pool"))
CUSTOMER_POOL_ASSIGNED = declare("customer.pool_assigned", _("Customer assigned from the pool"))
CUSTOMER_RELEASED = declare("customer.released", _("Customer returned to the pool by its owner"))

# R15: after the deal the file passes to a customer-service supervisor (written for reception's hand-over).
CUSTOMER_HANDED_TO_SERVICE = declare("customer.handed_to_service", _("Customer file handed to customer service"))

# R17: the target-customer information sheet, filled in after a visit or on the customer file.
CUSTOMER_SHEET_UPDATED = declare("customer.sheet_updated", _("Target-customer sheet updated"))
