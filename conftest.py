"""Shared fixtures for every distribution's tests (the public test kit's pytest plugin)."""

import os

# litellm fetches its model cost map from GitHub when it is imported, which any instrument() that activates
# every installed adapter does: tests never reach the network, so it reads its bundled copy.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

pytest_plugins = ["huggingplace_sdk.testing.pytest_plugin"]
