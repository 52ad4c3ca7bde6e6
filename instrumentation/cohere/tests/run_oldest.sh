#!/usr/bin/env sh
# Run the cohere adapter's tests against the oldest cohere release it claims (SUPPORTED in
# _instrumentor.py: 5.16). The newest installed release is covered by the normal test run. From the
# repository root:
#   sh instrumentation/cohere/tests/run_oldest.sh
set -eu
exec uv run --with "cohere==5.16.0" pytest instrumentation/cohere -q "$@"
