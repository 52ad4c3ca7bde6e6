"""Shared fixtures for every distribution's tests (the public test kit's pytest plugin)."""

pytest_plugins = ["huggingplace_sdk.testing.pytest_plugin"]
