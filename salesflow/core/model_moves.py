"""Moving a model to another app (or renaming it) keeps its table and its rows — a state-only migration — and its
content type must follow, or permissions granted on it and admin log entries about it are left on a stale row.

A migration of the receiving app runs::

    migrations.RunPython(*content_type_follows(("deals", "discountrequest"), ("quotations", "discountrequest")))

The old row is renamed (and the default permissions' codenames follow a new model name); when both rows exist
(``migrate`` created the new one on a database upgraded in between) the old row's permissions, their user and
group grants and the admin log entries move to the new one and the old row goes. Idempotent and reversible.
Used by notifications 0001, imports 0001 and pool 0002.
"""

from __future__ import annotations

ACTIONS = ("add", "change", "delete", "view")


def move_content_type(apps, schema_editor, old: tuple[str, str], new: tuple[str, str]) -> None:
    """Give the content type of ``old`` (app label, model) to ``new``; see the module's docstring."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    types = ContentType.objects.using(db)
    source = types.filter(app_label=old[0], model=old[1]).first()
    if source is None:
        return  # a new database, or already moved
    codenames = {f"{action}_{old[1]}": f"{action}_{new[1]}" for action in ACTIONS}
    target = types.filter(app_label=new[0], model=new[1]).first()
    if target is None:
        types.filter(pk=source.pk).update(app_label=new[0], model=new[1])
        for before, after in codenames.items():
            Permission.objects.using(db).filter(content_type_id=source.pk, codename=before).update(codename=after)
        return
    # Both rows exist: the old one's grants and log entries join the new one, then the old one goes.
    for permission in Permission.objects.using(db).filter(content_type_id=source.pk):
        codename = codenames.get(permission.codename, permission.codename)
        kept = Permission.objects.using(db).filter(content_type_id=target.pk, codename=codename).first()
        if kept is None:
            permission.content_type_id, permission.codename = target.pk, codename
            permission.save(update_fields=["content_type", "codename"])
            continue
        for group in permission.group_set.all():
            group.permissions.add(kept)
        for user in permission.user_set.all():
            user.user_permissions.add(kept)
        permission.delete()
    try:
        LogEntry = apps.get_model("admin", "LogEntry")
    except LookupError:  # the admin is not installed
        pass
    else:
        LogEntry.objects.using(db).filter(content_type_id=source.pk).update(content_type_id=target.pk)
    types.filter(pk=source.pk).delete()


def content_type_follows(old: tuple[str, str], new: tuple[str, str]):
    """The (forwards, backwards) pair for ``migrations.RunPython``."""

    def forwards(apps, schema_editor):
        move_content_type(apps, schema_editor, old, new)

    def backwards(apps, schema_editor):
        move_content_type(apps, schema_editor, new, old)

    return forwards, backwards
