"""HuggingPlace adapter for anthropic."""
