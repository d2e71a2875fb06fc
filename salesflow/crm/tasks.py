from django_tasks import task


@task()
def run_customer_import(job_id: int) -> int:
    from .imports import import_execute

    job = import_execute(job_id)
    return job.created_count if job else 0


@task()
def check_customer_import(job_id: int) -> str:
    from .imports import import_run_check

    job = import_run_check(job_id)
    return job.status if job else ""
