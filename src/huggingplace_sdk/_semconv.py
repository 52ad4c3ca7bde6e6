"""Every attribute and metric name the SDK emits, in one table.

GenAI names follow the OpenTelemetry semantic conventions v1.41.1; ``huggingplace.*`` names are ours.
Adapters, the engine and the exporter import names from here and never spell them inline.
"""

from __future__ import annotations

from typing import Final

SEMCONV_VERSION: Final = "1.41.1"

# --- GenAI request -----------------------------------------------------------------------------------
GEN_AI_OPERATION_NAME: Final = "gen_ai.operation.name"
GEN_AI_PROVIDER_NAME: Final = "gen_ai.provider.name"
GEN_AI_SYSTEM: Final = "gen_ai.system"  # legacy, emitted only when the switch is on
GEN_AI_CONVERSATION_ID: Final = "gen_ai.conversation.id"
GEN_AI_REQUEST_MODEL: Final = "gen_ai.request.model"
GEN_AI_REQUEST_MAX_TOKENS: Final = "gen_ai.request.max_tokens"
GEN_AI_REQUEST_TEMPERATURE: Final = "gen_ai.request.temperature"
GEN_AI_REQUEST_TOP_P: Final = "gen_ai.request.top_p"
GEN_AI_REQUEST_TOP_K: Final = "gen_ai.request.top_k"
GEN_AI_REQUEST_STOP_SEQUENCES: Final = "gen_ai.request.stop_sequences"
GEN_AI_REQUEST_FREQUENCY_PENALTY: Final = "gen_ai.request.frequency_penalty"
GEN_AI_REQUEST_PRESENCE_PENALTY: Final = "gen_ai.request.presence_penalty"
GEN_AI_REQUEST_SEED: Final = "gen_ai.request.seed"
GEN_AI_REQUEST_CHOICE_COUNT: Final = "gen_ai.request.choice.count"
GEN_AI_REQUEST_STREAM: Final = "gen_ai.request.stream"
GEN_AI_REQUEST_ENCODING_FORMATS: Final = "gen_ai.request.encoding_formats"
GEN_AI_OUTPUT_TYPE: Final = "gen_ai.output.type"

# --- GenAI response ----------------------------------------------------------------------------------
GEN_AI_RESPONSE_ID: Final = "gen_ai.response.id"
GEN_AI_RESPONSE_MODEL: Final = "gen_ai.response.model"
GEN_AI_RESPONSE_FINISH_REASONS: Final = "gen_ai.response.finish_reasons"
GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK: Final = "gen_ai.response.time_to_first_chunk"
GEN_AI_EMBEDDINGS_DIMENSION_COUNT: Final = "gen_ai.embeddings.dimension.count"

# --- GenAI usage -------------------------------------------------------------------------------------
GEN_AI_USAGE_INPUT_TOKENS: Final = "gen_ai.usage.input_tokens"
GEN_AI_USAGE_OUTPUT_TOKENS: Final = "gen_ai.usage.output_tokens"
GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS: Final = "gen_ai.usage.cache_read.input_tokens"
GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS: Final = "gen_ai.usage.cache_creation.input_tokens"
GEN_AI_USAGE_REASONING_OUTPUT_TOKENS: Final = "gen_ai.usage.reasoning.output_tokens"

# --- GenAI content (opt-in) --------------------------------------------------------------------------
GEN_AI_INPUT_MESSAGES: Final = "gen_ai.input.messages"
GEN_AI_OUTPUT_MESSAGES: Final = "gen_ai.output.messages"
GEN_AI_SYSTEM_INSTRUCTIONS: Final = "gen_ai.system_instructions"
GEN_AI_TOOL_DEFINITIONS: Final = "gen_ai.tool.definitions"

# --- GenAI tools -------------------------------------------------------------------------------------
GEN_AI_TOOL_NAME: Final = "gen_ai.tool.name"
GEN_AI_TOOL_CALL_ID: Final = "gen_ai.tool.call.id"
GEN_AI_TOOL_TYPE: Final = "gen_ai.tool.type"
GEN_AI_TOOL_DESCRIPTION: Final = "gen_ai.tool.description"
GEN_AI_TOOL_CALL_ARGUMENTS: Final = "gen_ai.tool.call.arguments"
GEN_AI_TOOL_CALL_RESULT: Final = "gen_ai.tool.call.result"

# --- Operation names ---------------------------------------------------------------------------------
OP_CHAT: Final = "chat"
OP_TEXT_COMPLETION: Final = "text_completion"
OP_EMBEDDINGS: Final = "embeddings"
OP_GENERATE_CONTENT: Final = "generate_content"
OP_EXECUTE_TOOL: Final = "execute_tool"
OP_INVOKE_AGENT: Final = "invoke_agent"

# --- Generic -----------------------------------------------------------------------------------------
SERVER_ADDRESS: Final = "server.address"
SERVER_PORT: Final = "server.port"
ERROR_TYPE: Final = "error.type"
SESSION_ID: Final = "session.id"
USER_ID: Final = "user.id"

# --- Ours --------------------------------------------------------------------------------------------
HP_USAGE_SOURCE: Final = "huggingplace.usage.source"  # provider | estimated | absent
USAGE_SOURCE_PROVIDER: Final = "provider"
USAGE_SOURCE_ESTIMATED: Final = "estimated"
USAGE_SOURCE_ABSENT: Final = "absent"
HP_SESSION_METADATA_PREFIX: Final = "huggingplace.session.metadata."
HP_STREAM_OUTCOME: Final = "huggingplace.stream.outcome"  # completed | closed_early | abandoned | cancelled | error
HP_STREAM_CHUNKS: Final = "huggingplace.stream.chunk_count"
HP_TOOL_CALL_IDS: Final = "huggingplace.response.tool_call.ids"  # always recorded (not content)
HP_TOOL_CALL_NAMES: Final = "huggingplace.response.tool_call.names"
HP_INTERNAL_ERRORS: Final = "huggingplace.internal_errors"
HP_CONTENT_ORIGINAL_SIZE_PREFIX: Final = "huggingplace.content.original_size."  # + content attribute name
HP_CONTENT_TRUNCATED: Final = "huggingplace.content.truncated"
HP_STEP_TYPE: Final = "huggingplace.step.type"
HP_STEP_NAME: Final = "huggingplace.step.name"
HP_STEP_USER_QUESTION: Final = "huggingplace.step.user_question"
HP_STEP_PROMPT_RESPONSE: Final = "huggingplace.step.prompt_response"
HP_STEP_USAGE_INPUT: Final = "huggingplace.step.usage.input_tokens"
HP_STEP_USAGE_OUTPUT: Final = "huggingplace.step.usage.output_tokens"
HP_STEP_USAGE_CACHE_READ: Final = "huggingplace.step.usage.cache_read.input_tokens"
HP_STEP_USAGE_CACHE_CREATION: Final = "huggingplace.step.usage.cache_creation.input_tokens"
HP_STEP_USAGE_REASONING: Final = "huggingplace.step.usage.reasoning.output_tokens"
HP_STEP_LLM_CALLS: Final = "huggingplace.step.llm_calls"
HP_PLATFORM_PREFIX: Final = "huggingplace.platform."  # platform adapters: huggingplace.platform.<vendor>.<field>

STREAM_COMPLETED: Final = "completed"
STREAM_CLOSED_EARLY: Final = "closed_early"
STREAM_ABANDONED: Final = "abandoned"
STREAM_CANCELLED: Final = "cancelled"
STREAM_ERROR: Final = "error"

# Error types the engine sets on abnormal stream ends (besides the exception's class name).
ERROR_CANCELLED: Final = "cancelled"
ERROR_ABANDONED: Final = "abandoned"

# --- Metrics (names, units, bucket boundaries as in the GenAI metrics conventions) --------------------
METRIC_TOKEN_USAGE: Final = "gen_ai.client.token.usage"
METRIC_OPERATION_DURATION: Final = "gen_ai.client.operation.duration"
METRIC_TIME_TO_FIRST_CHUNK: Final = "gen_ai.client.operation.time_to_first_chunk"
METRIC_TIME_PER_OUTPUT_CHUNK: Final = "gen_ai.client.operation.time_per_output_chunk"
GEN_AI_TOKEN_TYPE: Final = "gen_ai.token.type"  # input | output

TOKEN_USAGE_BUCKETS: Final = (
    1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
)
DURATION_BUCKETS: Final = (
    0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
)
TIME_TO_FIRST_CHUNK_BUCKETS: Final = DURATION_BUCKETS
TIME_PER_OUTPUT_CHUNK_BUCKETS: Final = (
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5,
)

# Exporter self-metrics.
METRIC_EXPORTER_DROPPED: Final = "huggingplace.exporter.dropped"  # attribute: reason
METRIC_EXPORTER_SENT: Final = "huggingplace.exporter.sent"
