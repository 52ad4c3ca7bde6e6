"""HuggingPlace adapter for conversimple."""
