"""The unassigned active cases with the columns the access rule reads, for the unassigned count
and view answered from the index alone (``cases/access.py``, ``visible_q(unassigned=True)``)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0011_inbox_all_statuses_indexes'),
        ('clients', '0003_client_email_upper'),
        ('directory', '0005_merge_parallel_work'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='case',
            index=models.Index(condition=models.Q(('status__in', ['new', 'open', 'waiting']), ('assignee__isnull', True)), fields=['next_due_at', 'id'], include=('team', 'programme', 'confidential'), name='case_active_unassigned_due'),
        ),
    ]
