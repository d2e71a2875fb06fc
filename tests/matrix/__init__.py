"""The generated permission matrix (style.md #11): tests/matrix/test_permission_matrix.py lists every API
operation of salesflow.api and every page of the URL conf and runs each app's rows against every kind of caller.

One module per app supplies its rows (``ROWS``) and, where its rows name records, a ``build(world, ids)`` that
makes them through the services and returns their ids by placeholder name. APPS lists the modules in build order
(a module may use the ids of the modules before it); a new app adds its module here.
"""

APPS = ["core", "org", "audit", "workcal", "crm", "imports", "pool", "approvals", "exports", "deals", "leads", "reception",
        "visits"]
