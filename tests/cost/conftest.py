"""Shared helpers of the cost tests: recorded calls replayed through the real clients, and table prices."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
