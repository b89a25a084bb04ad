"""Running the product: the supervisor that keeps the processes up, the live worker, the live channel, the
embedded Redis."""
