"""HuggingPlace adapter for mistralai."""
