"""HuggingPlace adapter for AWS Bedrock (boto3 ``bedrock-runtime``): converse, invoke_model and their streams."""

from __future__ import annotations

from huggingplace_instrumentation_bedrock._instrumentor import SUPPORTED, BedrockInstrumentor

__all__ = ["SUPPORTED", "BedrockInstrumentor"]
