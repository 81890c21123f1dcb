"""What a move from the original Stalker did, table by table and class by class."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TableCount:
    """Rows of one target table: how many the source had and how many arrived."""

    table: str
    source_table: str
    source_rows: int = 0
    moved_rows: int = 0


@dataclass
class NotCarried:
    """Something of the source that the target holds differently or not at all."""

    where: str
    rows: int
    reason: str


@dataclass
class MoveReport:
    """The outcome of :func:`stalker.migrations.legacy.move_legacy`.

    ``tables`` and ``classes`` count rows on both sides; ``not_carried`` lists
    every row or value the target does not hold as the source did (so nothing
    is dropped silently); ``changed`` lists values filled in or converted.
    """

    source_generation: str
    source_revision: str | None
    target_revision: str
    tables: dict[str, TableCount] = field(default_factory=dict)
    classes: dict[str, tuple[int, int]] = field(default_factory=dict)
    not_carried: list[NotCarried] = field(default_factory=list)
    changed: list[NotCarried] = field(default_factory=list)

    def lost(self, where: str, rows: int, reason: str) -> None:
        """Record rows (or values) that were not carried over."""
        if rows:
            self.not_carried.append(NotCarried(where, rows, reason))

    def note(self, where: str, rows: int, reason: str) -> None:
        """Record rows whose values were converted or filled in."""
        if rows:
            self.changed.append(NotCarried(where, rows, reason))

    @property
    def rows_lost(self) -> int:
        """Rows the source had that the target lacks (tables and classes)."""
        return sum(
            max(count.source_rows - count.moved_rows, 0)
            for count in self.tables.values()
        )

    def as_table(self) -> str:
        """The report as plain text tables, for a terminal or a log."""
        lines = [
            f"moved from {self.source_generation} (revision "
            f"{self.source_revision or 'none'}) to stalker {self.target_revision}",
            "",
        ]
        lines += _grid(
            ("table", "from", "source rows", "moved rows"),
            [
                (c.table, c.source_table, str(c.source_rows), str(c.moved_rows))
                for c in sorted(self.tables.values(), key=lambda c: c.table)
            ],
        )
        lines.append("")
        lines += _grid(
            ("class", "source rows", "moved rows"),
            [
                (name, str(source), str(moved))
                for name, (source, moved) in sorted(self.classes.items())
            ],
        )
        for title, items in (
            ("not carried over", self.not_carried),
            ("converted or filled in", self.changed),
        ):
            lines += ["", f"{title}:"]
            lines += [f"  {i.where}: {i.rows} row(s): {i.reason}" for i in items]
            if not items:
                lines.append("  nothing")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.as_table()


def _grid(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            cell.rjust(width) if cell.isdigit() else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return [line(header), rule, *(line(row) for row in rows)]
