"""Pure business rules: no I/O, no AWS."""
