"""Who may do what: API keys per feed source and the roles they carry."""
