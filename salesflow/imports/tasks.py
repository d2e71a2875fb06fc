from django_tasks import task


@task()
def run_import(job_id: int) -> int:
    """Write a confirmed import of any kind: one transaction, all or nothing."""
    from .services import import_execute

    job = import_execute(job_id)
    return job.created_count if job else 0


@task()
def check_import(job_id: int) -> str:
    """Check a big upload of any kind while its page polls the progress."""
    from .services import import_run_check

    job = import_run_check(job_id)
    return job.status if job else ""


@task()
def read_import(job_id: int) -> str:
    """Read an upload (issue #15: in the worker, never in the web request): its header, rows and caps."""
    from .services import import_read

    job = import_read(job_id)
    return job.status if job else ""
