"""The only code that knows key formats and DynamoDB expressions."""
