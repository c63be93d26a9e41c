"""What a build is configured by: the documents (profiles) and their dates."""
