#!/usr/bin/python3
"""AWS's own signer (botocore) for the known-answer tests of Strata's SigV4.

Reads a JSON list of cases on stdin; writes one JSON object per case:
{"authorization": ...} for header signing, {"url": ...} for presigning.
Each case: method, url, headers (object), body (string), time
("20261203T103548Z"), region, accessKeyId, secretAccessKey, and for a
presigned URL "expires" (seconds).
"""
import datetime
import json
import sys

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class FixedClock(datetime.datetime):
    fixed = None

    @classmethod
    def utcnow(cls):
        return cls.fixed


def sign(case):
    FixedClock.fixed = datetime.datetime.strptime(case["time"], "%Y%m%dT%H%M%SZ")
    botocore.auth.datetime.datetime = FixedClock
    creds = Credentials(case["accessKeyId"], case["secretAccessKey"])
    request = AWSRequest(method=case["method"], url=case["url"],
                         headers=case.get("headers", {}), data=case.get("body", "").encode())
    if "expires" in case:
        botocore.auth.S3SigV4QueryAuth(creds, "s3", case["region"],
                                       expires=case["expires"]).add_auth(request)
        return {"url": request.url}
    botocore.auth.S3SigV4Auth(creds, "s3", case["region"]).add_auth(request)
    return {"authorization": request.headers["Authorization"],
            "contentSha256": request.headers["X-Amz-Content-SHA256"]}


for case in json.load(sys.stdin):
    print(json.dumps(sign(case)))
