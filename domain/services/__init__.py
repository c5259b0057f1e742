"""One service per seed area; each method is one use case of the product."""
