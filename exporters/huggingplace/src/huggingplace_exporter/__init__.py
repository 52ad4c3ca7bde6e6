"""HuggingPlace span exporter."""
