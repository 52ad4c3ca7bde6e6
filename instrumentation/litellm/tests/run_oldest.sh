#!/usr/bin/env sh
# Run the litellm adapter's tests against the oldest litellm release it claims (SUPPORTED in _instrumentor.py).
# The newest installed release is covered by the normal test run. From the repository root:
#   sh instrumentation/litellm/tests/run_oldest.sh
set -eu
exec uv run --with "litellm==1.109.0" pytest instrumentation/litellm -q "$@"
