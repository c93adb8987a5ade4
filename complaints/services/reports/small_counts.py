"""Small counts in reports meant for outside the division.

A rare topic in a small district can point at a person ("the one complaint about the district chief
last year"). Exports for outside readers therefore show counts from 1 to ``threshold - 1`` as
``"< threshold"``. Within a group whose total is also published, hiding a single cell is not
enough (total minus the others gives it back), so one more cell is hidden: the smallest other
non-zero count (complementary suppression). Zero is shown: it points at nobody.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class SmallCounts:
    """``threshold`` 0 or 1 shows every count as it is."""

    threshold: int = 0

    @property
    def active(self) -> bool:
        return self.threshold > 1

    @property
    def mark(self) -> str:
        return f"< {self.threshold}"

    def hides(self, count: int) -> bool:
        return self.active and 0 < count < self.threshold

    def show(self, count: int) -> int | str:
        """The count, or ``"< k"`` when it is small."""
        return self.mark if self.hides(count) else count

    def group(self, counts: Sequence[int], *, total_published: bool = True) -> list[int | str]:
        """The counts of one group (the topics of an agency, say) with small ones hidden, and one more
        when exactly one would be hidden and the group's total is published."""
        shown: list[int | str] = [self.show(n) for n in counts]
        hidden = [i for i, value in enumerate(shown) if value == self.mark]
        if self.active and total_published and len(hidden) == 1:
            others = [(n, i) for i, n in enumerate(counts) if n > 0 and i not in hidden]
            if others:
                shown[min(others)[1]] = self.mark
        return shown


OFF = SmallCounts(0)
