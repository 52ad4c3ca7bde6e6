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
# The Azure OpenAI deployment a call went to (a deployment name is not a model name).
HP_AZURE_OPENAI_DEPLOYMENT: Final = "huggingplace.azure.openai.deployment"
USAGE_SOURCE_PROVIDER: Final = "provider"
USAGE_SOURCE_ESTIMATED: Final = "estimated"
USAGE_SOURCE_ABSENT: Final = "absent"
HP_SESSION_METADATA_PREFIX: Final = "huggingplace.session.metadata."
HP_STREAM_OUTCOME: Final = "huggingplace.stream.outcome"  # completed | closed_early | abandoned | cancelled | error
HP_STREAM_CHUNKS: Final = "huggingplace.stream.chunk_count"
HP_TOOL_CALL_IDS: Final = "huggingplace.response.tool_call.ids"  # always recorded (not content)
HP_TOOL_CALL_NAMES: Final = "huggingplace.response.tool_call.names"
HP_INTERNAL_ERRORS: Final = "huggingplace.internal_errors"
# Response fields whose values were malformed (wrong type, absurd token count) and were not recorded.
HP_REJECTED_FIELDS: Final = "huggingplace.response.rejected_fields"
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
# Retrieval steps of framework adapters (query and documents only with content capture on).
HP_RETRIEVAL_QUERY: Final = "huggingplace.retrieval.query"
HP_RETRIEVAL_DOCUMENTS: Final = "huggingplace.retrieval.documents"
HP_RETRIEVAL_DOCUMENT_COUNT: Final = "huggingplace.retrieval.document_count"
# Agent framework steps (OpenAI Agents SDK): handoffs between agents, guardrail results.
HP_HANDOFF_FROM: Final = "huggingplace.handoff.from_agent"
HP_HANDOFF_TO: Final = "huggingplace.handoff.to_agent"
HP_GUARDRAIL_TRIGGERED: Final = "huggingplace.guardrail.triggered"
# Content filtering the provider applied (google-genai: prompt feedback, safety ratings that blocked output).
HP_PROMPT_BLOCK_REASON: Final = "huggingplace.response.prompt_block_reason"
HP_SAFETY_BLOCKED_CATEGORIES: Final = "huggingplace.response.safety.blocked_categories"
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

# --- Platform adapters (TBuddy, Payman, Conversimple): huggingplace.platform.<vendor>.<field> ----------
GEN_AI_AGENT_NAME: Final = "gen_ai.agent.name"
HTTP_RESPONSE_STATUS_CODE: Final = "http.response.status_code"
EXCEPTION_EVENT: Final = "exception"  # span event name and fields, as OTel records exceptions
EXCEPTION_TYPE: Final = "exception.type"
EXCEPTION_MESSAGE: Final = "exception.message"
EXCEPTION_STACKTRACE: Final = "exception.stacktrace"
EXCEPTION_ESCAPED: Final = "exception.escaped"
ERROR_INCOMPLETE: Final = "incomplete"  # a platform stream / conversation that ended without its final event
ERROR_TIMEOUT: Final = "timeout"

HP_TBUDDY: Final = HP_PLATFORM_PREFIX + "tbuddy."
HP_TBUDDY_SESSION_ID: Final = HP_TBUDDY + "session.id"  # always; session.id too unless session() is open
HP_TBUDDY_FOLLOW_UP: Final = HP_TBUDDY + "follow_up"  # the query continues an existing session
HP_TBUDDY_FORCE_NEW_SESSION: Final = HP_TBUDDY + "force_new_session"
HP_TBUDDY_WAIT_FOR_COMPLETION: Final = HP_TBUDDY + "wait_for_completion"
HP_TBUDDY_STATUS: Final = HP_TBUDDY + "status"  # session status the platform reported last
HP_TBUDDY_PROGRESS: Final = HP_TBUDDY + "progress_percent"
HP_TBUDDY_ERROR_COUNT: Final = HP_TBUDDY + "error_count"
HP_TBUDDY_EXTEND_HOURS: Final = HP_TBUDDY + "extend_hours"
HP_TBUDDY_CONVERSATION_TURNS: Final = HP_TBUDDY + "conversation_turns"
HP_TBUDDY_UPDATE_TYPE: Final = HP_TBUDDY + "update.type"
HP_TBUDDY_UPDATE_MESSAGE: Final = HP_TBUDDY + "update.message"  # content capture only
HP_TBUDDY_UPDATE_COUNT: Final = HP_TBUDDY + "stream.update_count"
HP_TBUDDY_FINAL_UPDATE: Final = HP_TBUDDY + "stream.final_update"  # completed | error | timeout
HP_TBUDDY_AGENT_OUTCOME: Final = HP_TBUDDY + "agent.outcome"  # completed | failed | incomplete
HP_TBUDDY_RETRY_ATTEMPT: Final = HP_TBUDDY + "retry.attempt"
HP_TBUDDY_RETRY_OPERATION: Final = HP_TBUDDY + "retry.operation"  # e.g. "GET session/{id}/status"
TBUDDY_EVENT_RETRY: Final = HP_TBUDDY + "retry"
TBUDDY_EVENT_UPDATE: Final = HP_TBUDDY + "update"
TBUDDY_EVENT_EVENTS_DROPPED: Final = HP_TBUDDY + "stream.events_dropped"

HP_PAYMAN: Final = HP_PLATFORM_PREFIX + "payman."
HP_PAYMAN_SESSION_ID: Final = HP_PAYMAN + "session.id"  # always; session.id too unless session() is open
HP_PAYMAN_TASK_ID: Final = HP_PAYMAN + "task.id"
HP_PAYMAN_REQUEST_ID: Final = HP_PAYMAN + "request.id"
HP_PAYMAN_TASK_STATUS: Final = HP_PAYMAN + "task.status"
HP_PAYMAN_ERROR_CODE: Final = HP_PAYMAN + "error.code"
HP_PAYMAN_ERROR_MESSAGE: Final = HP_PAYMAN + "error.message"
HP_PAYMAN_OUTPUT_FORMAT: Final = HP_PAYMAN + "output_format"
HP_PAYMAN_NEW_SESSION: Final = HP_PAYMAN + "new_session"
HP_PAYMAN_STREAMING: Final = HP_PAYMAN + "streaming"  # on_message given (the SDK still answers in one piece)
HP_PAYMAN_ARTIFACT_COUNT: Final = HP_PAYMAN + "artifact.count"
HP_PAYMAN_GRANT_TYPE: Final = HP_PAYMAN + "oauth.grant_type"
HP_PAYMAN_ENVIRONMENT: Final = HP_PAYMAN + "environment"

HP_CONVERSIMPLE: Final = HP_PLATFORM_PREFIX + "conversimple."
HP_CONVERSIMPLE_CONVERSATION_ID: Final = HP_CONVERSIMPLE + "conversation.id"  # always; session.id unless in session()
HP_CONVERSIMPLE_END_REASON: Final = HP_CONVERSIMPLE + "conversation.end_reason"
HP_CONVERSIMPLE_TOOL_CALLS: Final = HP_CONVERSIMPLE + "conversation.tool_call_count"
HP_CONVERSIMPLE_EVENTS_DROPPED: Final = HP_CONVERSIMPLE + "conversation.events_dropped"
HP_CONVERSIMPLE_TOOL_TIMEOUT: Final = HP_CONVERSIMPLE + "tool.timeout_seconds"
HP_CONVERSIMPLE_TOOL_REPLAYED: Final = HP_CONVERSIMPLE + "tool.replayed"  # a cached result was re-sent
HP_CONVERSIMPLE_CONNECTION_STATE: Final = HP_CONVERSIMPLE + "connection.state"
HP_CONVERSIMPLE_ERROR_CODE: Final = HP_CONVERSIMPLE + "error.code"
HP_CONVERSIMPLE_ERROR_KIND: Final = HP_CONVERSIMPLE + "error.kind"  # the platform's error_type
HP_CONVERSIMPLE_ERROR_MESSAGE: Final = HP_CONVERSIMPLE + "error.message"
HP_CONVERSIMPLE_RECONNECT_ATTEMPT: Final = HP_CONVERSIMPLE + "reconnect.attempt"
HP_CONVERSIMPLE_RECONNECT_LIMIT: Final = HP_CONVERSIMPLE + "reconnect.limit"
CONVERSIMPLE_EVENT_RECONNECT: Final = HP_CONVERSIMPLE + "reconnect_attempt"
CONVERSIMPLE_EVENT_CONNECTION: Final = HP_CONVERSIMPLE + "connection"
CONVERSIMPLE_EVENT_PLATFORM_ERROR: Final = HP_CONVERSIMPLE + "platform_error"
CONVERSIMPLE_EVENT_REPLY_ERROR: Final = HP_CONVERSIMPLE + "reply_error"

# --- OpenAI-specific (GenAI conventions, openai registry) ----------------------------------------------
OPENAI_REQUEST_SERVICE_TIER: Final = "openai.request.service_tier"
OPENAI_RESPONSE_SERVICE_TIER: Final = "openai.response.service_tier"
OPENAI_RESPONSE_SYSTEM_FINGERPRINT: Final = "openai.response.system_fingerprint"

# --- AWS Bedrock (aws.bedrock.guardrail.id is in the GenAI conventions' AWS registry) --------------------
PROVIDER_AWS_BEDROCK: Final = "aws.bedrock"
AWS_REQUEST_ID: Final = "aws.request_id"
AWS_BEDROCK_GUARDRAIL_ID: Final = "aws.bedrock.guardrail.id"
AWS_BEDROCK_GUARDRAIL_VERSION: Final = "aws.bedrock.guardrail.version"
AWS_BEDROCK_GUARDRAIL_ACTION: Final = "aws.bedrock.guardrail.action"  # INTERVENED | NONE, as Bedrock reports it
# Where the provider reported the token counts: body | headers | invocation_metrics (Bedrock's own, streams).
HP_USAGE_CARRIER: Final = "huggingplace.usage.carrier"
USAGE_CARRIER_BODY: Final = "body"
USAGE_CARRIER_HEADERS: Final = "headers"
USAGE_CARRIER_INVOCATION_METRICS: Final = "invocation_metrics"
# --- Cost per LLM call (issue 16): the shape of the open GenAI cost proposal, ours until it settles -----
HP_COST_AMOUNT: Final = "huggingplace.usage.cost.amount"  # total, in HP_COST_CURRENCY; absent when unpriced
HP_COST_CURRENCY: Final = "huggingplace.usage.cost.currency"
HP_COST_SOURCE: Final = "huggingplace.usage.cost.source"  # local: computed here from the reported usage
HP_COST_STATUS: Final = "huggingplace.usage.cost.status"  # priced | unpriced | not_billed
HP_COST_UNPRICED_REASON: Final = "huggingplace.usage.cost.unpriced_reason"
HP_COST_PRICE_SOURCE: Final = "huggingplace.usage.cost.price_source"  # "genai-prices <version>" | "user"
HP_COST_PRICE_PROVIDER: Final = "huggingplace.usage.cost.price_provider"  # provider id in the price table
HP_COST_PRICE_MODEL: Final = "huggingplace.usage.cost.price_model"  # model id the price table matched
HP_COST_PART_PREFIX: Final = "huggingplace.usage.cost."  # + input | output | cache_read | cache_write | reasoning
COST_CURRENCY_USD: Final = "USD"
COST_SOURCE_LOCAL: Final = "local"
COST_PRICED: Final = "priced"
COST_UNPRICED: Final = "unpriced"
COST_NOT_BILLED: Final = "not_billed"  # the provider answered with an error and reported no usage
COST_PRICE_SOURCE_USER: Final = "user"
COST_PARTS: Final = ("input", "output", "cache_read", "cache_write", "reasoning")
# Why a call has no cost: no usage reported, no model name, a model (or provider) the table does not know,
# usage the table cannot split (e.g. more cached than input tokens), or the user's price callable failed.
UNPRICED_USAGE_ABSENT: Final = "usage_absent"
UNPRICED_NO_MODEL: Final = "no_model"
UNPRICED_UNKNOWN_MODEL: Final = "unknown_model"
UNPRICED_INVALID_USAGE: Final = "invalid_usage"
UNPRICED_PRICE_ERROR: Final = "price_error"
HP_STEP_COST_AMOUNT: Final = "huggingplace.step.cost.amount"  # sum over the priced calls under the step
HP_STEP_COST_UNPRICED_CALLS: Final = "huggingplace.step.cost.unpriced_calls"
HP_BUDGET_EVENT: Final = "huggingplace.budget.exceeded"  # span event on a call started at or over budget
HP_BUDGET_LIMIT: Final = "huggingplace.budget.limit_usd"
HP_BUDGET_SPENT: Final = "huggingplace.budget.spent_usd"
METRIC_COST: Final = "huggingplace.gen_ai.client.cost"  # counter, USD, by provider and model
# --- Ollama-specific: the server's own timings, in nanoseconds as the API reports them -----------------
OLLAMA_RESPONSE_TOTAL_DURATION: Final = "ollama.response.total_duration_ns"
OLLAMA_RESPONSE_LOAD_DURATION: Final = "ollama.response.load_duration_ns"
OLLAMA_RESPONSE_PROMPT_EVAL_DURATION: Final = "ollama.response.prompt_eval_duration_ns"
OLLAMA_RESPONSE_EVAL_DURATION: Final = "ollama.response.eval_duration_ns"

# --- Cohere-specific: billed units as the API reports them, beside the token counts in gen_ai.usage.* ----
COHERE_BILLED_INPUT_TOKENS: Final = "cohere.usage.billed_units.input_tokens"
COHERE_BILLED_OUTPUT_TOKENS: Final = "cohere.usage.billed_units.output_tokens"
COHERE_BILLED_SEARCH_UNITS: Final = "cohere.usage.billed_units.search_units"
COHERE_BILLED_CLASSIFICATIONS: Final = "cohere.usage.billed_units.classifications"
COHERE_RERANK_TOP_N: Final = "cohere.request.rerank.top_n"
COHERE_RERANK_DOCUMENT_COUNT: Final = "cohere.request.rerank.document_count"
