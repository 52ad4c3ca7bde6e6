"""HuggingPlace adapter for payman."""
