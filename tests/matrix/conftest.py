"""The matrix's company: tests/conftest.py's ``org`` plus a marketing VP, and the records every app module builds."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest

from . import APPS
from .base import ROLES


def app_modules():
    return [importlib.import_module(f"{__package__}.{name}") for name in APPS]


@pytest.fixture
def world(org):
    from salesflow.org.roles import Role

    from ..factories import UserFactory

    marketing = UserFactory(username="marketing", name="营销副总", role=Role.MARKETING_VP, unit=org.hq,
                            manager=org.gm)
    world = SimpleNamespace(**vars(org), marketing=marketing)
    ids = {role: getattr(world, role).pk for role in ROLES if role != "anonymous"}
    ids.update(rep3=org.rep3.pk, hq=org.hq.pk, east=org.east.pk, north=org.north.pk, east_office=org.east_office.pk,
               east_team=org.east_team.pk, east_team2=org.east_team2.pk, north_team=org.north_team.pk,
               rep_username=org.rep.username)
    for module in app_modules():
        build = getattr(module, "build", None)
        if build is not None:
            ids.update(build(world, ids))
    world.ids = ids
    return world
