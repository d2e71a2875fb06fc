"""The discount request (优惠申请, seed 002 D8 → C9 ‖ B9 → A9, R13) — the first document on the approval engine.

It lives here, apart from the opportunities, so that moving it to the quotations app when the deal desk is built
is a rename of this package (its models are registered with the ``deals`` app through ``deals/models.py``; the
move keeps the table with a state-only migration, as the pool and import moves did).
"""
