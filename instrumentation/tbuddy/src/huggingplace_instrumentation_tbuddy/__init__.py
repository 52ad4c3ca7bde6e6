"""HuggingPlace adapter for tbuddy."""
