#!/usr/bin/env sh
# Run the groq adapter's tests against the oldest groq release it claims (SUPPORTED in _instrumentor.py:
# 0.13, the oldest that runs on httpx 0.28). The newest installed release is covered by the normal test
# run. From the repository root:
#   sh instrumentation/groq/tests/run_oldest.sh
set -eu
exec uv run --with "groq==0.13.0" pytest instrumentation/groq -q "$@"
