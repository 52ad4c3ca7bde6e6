#!/usr/bin/env sh
# Run the ollama adapter's tests against the oldest ollama release it claims (SUPPORTED in
# _instrumentor.py: 0.4). The newest installed release is covered by the normal test run. From the
# repository root:
#   sh instrumentation/ollama/tests/run_oldest.sh
set -eu
exec uv run --with "ollama==0.4.0" pytest instrumentation/ollama -q "$@"
