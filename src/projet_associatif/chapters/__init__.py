"""One module per chapter notebook: what the notebook displays, composed from data and analysis."""
