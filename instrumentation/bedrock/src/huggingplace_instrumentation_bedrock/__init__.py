"""HuggingPlace adapter for AWS Bedrock (boto3 ``bedrock-runtime``): converse, invoke_model and their streams."""

from __future__ import annotations

from typing import TYPE_CHECKING

from huggingplace_sdk._engine.activation import lazy_exports

# 1.35 is the oldest release this adapter's tests pass at (Converse with guardrails, guardContent and tool
# streaming); boto3 and botocore move in lockstep, so the boto3 range pins botocore too.
SUPPORTED = "boto3 >= 1.35, < 2"

# Read by huggingplace_sdk.instrument(), which loads the adapter only once one of these is imported.
_vendor_modules = ("botocore",)

__all__ = ["SUPPORTED", "BedrockInstrumentor"]

if TYPE_CHECKING:
    from huggingplace_instrumentation_bedrock._instrumentor import BedrockInstrumentor

__getattr__ = lazy_exports(__name__, BedrockInstrumentor="._instrumentor")
