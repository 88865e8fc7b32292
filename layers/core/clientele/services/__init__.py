"""Use cases: what handlers call. They validate, decide and talk to the store by intent."""
