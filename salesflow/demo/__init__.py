"""The demo company (演示数据), built by the apps themselves.

Each app contributes a ``demo`` module (``salesflow/<app>/demo.py``) that registers its builders and resetters
with :mod:`salesflow.demo.registry`; ``build_demo()`` discovers them and runs the builders in their declared
order inside one transaction. The package knows no business app: the ground floor stays clean and a new area
(quotations, contracts, orders…) joins the demo by registering a builder, not by editing this package.

Idempotent: every builder looks its pieces up by their natural key (unit code, username, group name, customer
name) and creates only what is missing, so running the demo twice changes nothing. ``reset_business_data()``
runs the resetters first (``salesflow demo --reset``). Development only: both refuse unless
``settings.ALLOW_DEMO_DATA`` is true.
"""

from .context import DEMO_PASSWORD, SEED, DemoContext, DemoRefused, ensure_allowed
from .registry import build_demo, reset_business_data

__all__ = ["DEMO_PASSWORD", "SEED", "DemoContext", "DemoRefused", "build_demo", "ensure_allowed",
           "reset_business_data"]
