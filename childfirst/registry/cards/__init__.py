"""Contact cards: a child's card and a community's cards, printed as PDF."""
