"""Monthly settlement: per municipality and month, each farmer's charges minus credits, frozen."""
