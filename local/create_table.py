"""Create the table from template.yaml in any DynamoDB endpoint (e.g. DynamoDB Local for
`sam local start-api`):

    python -m local.create_table --endpoint http://localhost:8000 --table clientele
"""

from __future__ import annotations

import argparse
import os

from local import template


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--endpoint", default="http://localhost:8000", help="DynamoDB endpoint URL")
    parser.add_argument("--table", default="clientele", help="table name (TABLE_NAME of the functions)")
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    args = parser.parse_args()

    import boto3

    client = boto3.client("dynamodb", endpoint_url=args.endpoint, region_name=args.region,
                          aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "local"),
                          aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "local"))
    client.create_table(TableName=args.table, **template.table_definition())
    client.get_waiter("table_exists").wait(TableName=args.table)
    print(f"created {args.table} at {args.endpoint}")


if __name__ == "__main__":
    main()
