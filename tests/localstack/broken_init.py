"""A handler module whose import fails, as a function with a broken init does."""

raise ImportError("this module fails to import on purpose")
