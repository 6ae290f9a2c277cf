"""Dense embedders, one per module; `knowledge.wiring` picks one from the settings."""
