#!/usr/bin/env sh
# Run the google-genai adapter's tests against the oldest google-genai release it claims (SUPPORTED in
# _instrumentor.py: 1.29, the first whose Gemini API responses carry response_id). The newest installed release
# is covered by the normal test run. From the repository root:
#   sh instrumentation/google_genai/tests/run_oldest.sh
set -eu
exec uv run --with "google-genai==1.29.0" pytest instrumentation/google_genai -q "$@"
