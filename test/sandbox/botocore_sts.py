"""Sign STS calls with botocore against the sandbox (interop check for its SigV4 verification).

Usage: botocore_sts.py ENDPOINT REGION
Credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN.
Prints one JSON object: the caller identity, then the identity of an assumed ExampleAssumedRole session.
"""
import json
import sys

import botocore.session


def client(session, endpoint, region, **creds):
    return session.create_client("sts", region_name=region, endpoint_url=endpoint, **creds)


def main():
    endpoint, region = sys.argv[1], sys.argv[2]
    session = botocore.session.get_session()
    sts = client(session, endpoint, region)
    first = sts.get_caller_identity()
    assumed = sts.assume_role(
        RoleArn="arn:aws:iam::123456789012:role/ExampleAssumedRole",
        RoleSessionName="botocore-interop",
    )["Credentials"]
    second = client(
        session,
        endpoint,
        region,
        aws_access_key_id=assumed["AccessKeyId"],
        aws_secret_access_key=assumed["SecretAccessKey"],
        aws_session_token=assumed["SessionToken"],
    ).get_caller_identity()
    print(json.dumps({"first": first["Arn"], "second": second["Arn"], "account": second["Account"]}))


if __name__ == "__main__":
    main()
