"""A story's media: playing and downloading its enclosures (podcast episodes, videos),
and reading its transcripts and chapters."""
