"""HTTP plumbing shared by every handler: auth, problem+json, ETags, cursors, idempotency."""
