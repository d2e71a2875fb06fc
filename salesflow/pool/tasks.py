from django_tasks import task


@task()
def sweep_customer_pool() -> dict:
    """Warn owners and return overdue customers to the public pool (see pool.rules)."""
    from .services import customers_pool_sweep

    return customers_pool_sweep()
