"""Who may do what: API keys per feed source and their roles, people and their roles, paired screens, one-time
links, who is asking (viewer.py), rate limits."""
