#!/usr/bin/env sh
# Run the anthropic adapter's tests against the oldest anthropic release it claims (SUPPORTED in
# _instrumentor.py; 0.40 still has the legacy Text Completions API, so that test runs there). The newest
# installed release is covered by the normal test run. From the repository root:
#   sh instrumentation/anthropic/tests/run_oldest.sh
set -eu
exec uv run --with "anthropic==0.40.0" pytest instrumentation/anthropic -q "$@"
