"""Suite-wide ordering: the long runs first, so that two xdist workers end together.

``--dist loadgroup`` hands each worker the next test (or ``xdist_group``) in collection order,
once the worker has fewer than two waiting; the groups with most tests go first. A long test
collected late (the broker restart, the kill runs) then runs alone on one worker while the other
has nothing left. Starting with the tests marked ``slow`` (a stable sort: the order inside each
part is kept) leaves only short tests for the end, whichever worker takes them.
"""

from __future__ import annotations

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
