#!/usr/bin/env sh
# Run the Bedrock adapter's tests against the oldest boto3 release it claims (SUPPORTED in _instrumentor.py:
# 1.35, with its botocore 1.35). The newest installed release is covered by the normal test run. From the
# repository root:
#   sh instrumentation/bedrock/tests/run_oldest.sh
set -eu
exec uv run --with "boto3==1.35.0" pytest instrumentation/bedrock -q "$@"
