#!/usr/bin/env sh
# Run the mistralai adapter's tests against the oldest mistralai release it claims (SUPPORTED in
# _instrumentor.py: 2.10, the first whose streams have close()). The newest installed release is covered
# by the normal test run. From the repository root:
#   sh instrumentation/mistralai/tests/run_oldest.sh
set -eu
exec uv run --with "mistralai==2.10.0" pytest instrumentation/mistralai -q "$@"
