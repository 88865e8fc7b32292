"""`make bench`: DynamoDB round trips, handler overhead and cold imports per operation."""
