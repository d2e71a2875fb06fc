"""The pool policy's content type follows the model (``leads.leadpolicy`` → ``pool.poolpolicy``), as notifications
0001 and imports 0001 do for theirs, so permissions granted on the policy (and admin log entries about it) are not
left on a stale content type. 0001 moved the model without it, so a database upgraded since may already hold
both rows (``migrate`` creates the new one): then the old row's permissions and log entries move to the new one
and the old row goes. The default permissions' codenames follow the model name (``change_leadpolicy`` →
``change_poolpolicy``), as Django names them. Reversible: backwards gives the row back to the leads app."""

from django.db import migrations

ACTIONS = ("add", "change", "delete", "view")


def _move(apps, schema_editor, old: tuple[str, str], new: tuple[str, str]):
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


def forwards(apps, schema_editor):
    _move(apps, schema_editor, ("leads", "leadpolicy"), ("pool", "poolpolicy"))


def backwards(apps, schema_editor):
    _move(apps, schema_editor, ("pool", "poolpolicy"), ("leads", "leadpolicy"))


class Migration(migrations.Migration):

    dependencies = [
        ("pool", "0001_initial"),
        ("leads", "0005_policy_moves_to_pool"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
