"""The pool policy's content type follows the model (``leads.leadpolicy`` → ``pool.poolpolicy``), as notifications
0001 and imports 0001 do for theirs, so permissions granted on the policy (and admin log entries about it) are not
left on a stale content type. 0001 moved the model without it, so a database upgraded since may already hold
both rows (``migrate`` creates the new one): then the old row's permissions and log entries move to the new one
and the old row goes. The default permissions' codenames follow the model name (``change_leadpolicy`` →
``change_poolpolicy``), as Django names them. Reversible: backwards gives the row back to the leads app."""

from django.db import migrations

from salesflow.core.model_moves import content_type_follows

forwards, backwards = content_type_follows(("leads", "leadpolicy"), ("pool", "poolpolicy"))


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
