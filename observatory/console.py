"""Terminal output shared by the management commands: progress bars and summary tables."""

from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

console = Console(stderr=False, highlight=False)


class _Done(MofNCompleteColumn):
    """Rows done of the total ("800/5,470"); before the total is known (an import counts its file's
    rows first), the count so far or "counting…", not "800/?"."""

    def render(self, task):
        if task.total is None:
            return Text(f"{int(task.completed):,}" if task.completed else "counting…", style="progress.download")
        return super().render(task)


@contextmanager
def progress_bar(description: str, total: int | None):
    """Yield a ``tick(n=1, total=None)`` callable that advances a progress bar by ``n`` (and sets its
    total, when the work learns it after starting); silent when not a terminal."""
    with Progress(TextColumn("{task.description}"), BarColumn(), _Done(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(description, total=total)

        def tick(n: int = 1, total: int | None = None) -> None:
            progress.update(task, advance=n, **({"total": total} if total is not None else {}))

        yield tick


def summary_table(title: str, rows: dict[str, dict[str, int]], columns: list[str]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("")
    for column in columns:
        table.add_column(column, justify="right")
    for name, counts in rows.items():
        table.add_row(name, *(str(counts.get(column, 0)) for column in columns))
    return table
