"""Running the product: settings, the parts one process needs, the supervisor that keeps the processes up, the embedded
Redis.
"""
