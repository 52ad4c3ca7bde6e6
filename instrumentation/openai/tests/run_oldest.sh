#!/usr/bin/env sh
# Run the openai adapter's tests against the oldest openai release it claims (see SUPPORTED in
# _instrumentor.py: the first release with the Responses API). The newest installed release is covered by
# the normal test run. Usage, from the repository root: sh instrumentation/openai/tests/run_oldest.sh
set -eu
exec uv run --with "openai==1.66.0" pytest instrumentation/openai -q "$@"
