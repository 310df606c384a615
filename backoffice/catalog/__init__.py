"""What a merchant sells: products and their stock."""
