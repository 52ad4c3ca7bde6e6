"""BedrockInstrumentor: one wrapped method, botocore's client call path, filtered to bedrock-runtime."""

from __future__ import annotations

from huggingplace_instrumentation_bedrock import SUPPORTED
from huggingplace_sdk.engine import GenAIInstrumentor, Target

from ._calls import PROVIDER, BedrockCodec, handle_result, is_bedrock_model_call


class BedrockInstrumentor(GenAIInstrumentor):
    """Traces ``converse``, ``converse_stream``, ``invoke_model`` and ``invoke_model_with_response_stream`` of
    every ``bedrock-runtime`` client, whenever it was created."""

    provider = PROVIDER
    instruments = (SUPPORTED,)

    def targets(self) -> list[Target]:
        return [Target("botocore.client", "BaseClient._make_api_call", BedrockCodec(), result_handler=handle_result,
                       applies=is_bedrock_model_call)]
