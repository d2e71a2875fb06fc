"""Notices moved from the approvals app to their own: an existing database keeps its table and its rows.

Builds the schema as it was before the move (approvals 0002) with a notice in it, migrates forward, and reads
the same row through the new model.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from salesflow.notifications.models import Notification

from ..factories import UserFactory

BEFORE_MOVE = [("approvals", "0002_inbox_index")]


@pytest.mark.django_db(transaction=True)
def test_a_notice_written_before_the_move_is_read_after_it():
    user = UserFactory(username="old_hand")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_MOVE)
    executor.loader.build_graph()
    old_apps = executor.loader.project_state(BEFORE_MOVE).apps
    OldNotification = old_apps.get_model("approvals", "Notification")
    old = OldNotification.objects.create(user_id=user.pk, kind="approval.new", title="待审批：优惠申请 YH-0001",
                                         body="请在今天内处理。", url="/deals/discounts/1/")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Notification._meta.db_table == "approvals_notification"
    notice = Notification.objects.get(pk=old.pk)
    assert (notice.user_id, notice.kind, notice.title, notice.body, notice.url, notice.read_at) == (
        user.pk, "approval.new", "待审批：优惠申请 YH-0001", "请在今天内处理。", "/deals/discounts/1/", None)
    assert list(user.notifications.values_list("pk", flat=True)) == [old.pk]
