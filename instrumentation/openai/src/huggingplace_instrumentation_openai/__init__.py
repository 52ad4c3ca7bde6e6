"""HuggingPlace adapter for openai."""
