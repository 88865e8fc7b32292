"""Customers (SPEC §4.3, §5.3): one package, one save path.

* :mod:`plan` — ``prepare_create`` / ``prepare_change``: validate a document into a :class:`plan.Plan`.
* :mod:`write` — ``commit``: the one writer of a plan (one transaction).
* :mod:`operations` — POST, GET, PUT/PATCH, DELETE, restore, built on the two above.
* :mod:`upserts` — PUT /customers/by-remote-id (the integration's create-or-update).
* :mod:`listing` — GET /customers.
* :mod:`documents`, :mod:`records`, :mod:`hierarchy`, :mod:`ownership` — the parts a plan is made of.

Import the module you need (``from clientele.services.customers import operations``): this file
imports nothing, so a handler loads only what its operation uses (cold start).
"""
