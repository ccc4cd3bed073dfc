"""Operations on a published roster: same-day repair."""
