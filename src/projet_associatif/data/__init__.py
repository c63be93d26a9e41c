"""The one door to data/: descriptors, validation, the validation cache, reference extracts."""
