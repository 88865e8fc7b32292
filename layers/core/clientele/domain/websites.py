"""A customer's ``website`` (SPEC §13): an http(s) URL with a host, parsed as browsers parse URLs
(WHATWG, pydantic-core's ``Url``). Stored as the client wrote it (trimmed), not in the parser's
normal form, so what a user saved reads back unchanged (no trailing ``/`` added)."""

from __future__ import annotations

import re

from pydantic_core import Url

MAX_WEBSITE_LENGTH = 2000
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")  # one label of a host name, after IDNA (xn--…)


def website_problem(value: str) -> str | None:
    """What is wrong with ``value`` as a website, or None when it is an http(s) URL with a usable host."""
    text = value.strip()
    if len(text) > MAX_WEBSITE_LENGTH:
        return f"A website is at most {MAX_WEBSITE_LENGTH} characters."
    try:
        url = Url(text)
    except ValueError:
        return f"'{text[:100]}' is not a web address; use an http(s) URL such as https://example.com."
    if url.scheme not in ("http", "https"):
        return "Use an http or https URL (such as https://example.com)."
    host = url.host or ""
    if url.username or url.password:
        return "A website cannot carry a user name or password."
    if not host.startswith("[") and not all(_LABEL.match(label) for label in host.rstrip(".").split(".")):
        return f"'{host[:100]}' is not a host name."
    return None
