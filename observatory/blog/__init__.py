"""The research blog: posts, reader comments and their moderation."""
