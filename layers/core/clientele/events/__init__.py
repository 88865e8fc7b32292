"""Domain events on the project's EventBridge bus."""
