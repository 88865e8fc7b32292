"""What lives for one request (one Lambda invocation) and no longer: the org catalogs it has read.

Kept apart from :mod:`clientele.services.orgs` so that the HTTP entrypoint can open the scope
without importing the catalog's store code at cold start (it is imported on first use).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import Any

# The catalogs (``store.catalog.Catalog``) the current request has read, by org; None outside one.
catalogs: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("org_catalogs", default=None)


def per_request[**P, R](handler: Callable[P, R]) -> Callable[P, R]:
    """Run ``handler`` (a Lambda handler) with a scope of its own, dropped when it returns."""

    @functools.wraps(handler)
    def scoped(*args: P.args, **kwargs: P.kwargs) -> R:
        token = catalogs.set({})
        try:
            return handler(*args, **kwargs)
        finally:
            catalogs.reset(token)

    return scoped
