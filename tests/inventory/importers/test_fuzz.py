"""Every importer over mutated copies of real files: a clean reject or a clear error, never a traceback.

Mutations (hypothesis, bounded): bytes flipped, deleted or inserted, lines dropped, duplicated or
truncated. Parsing runs without the database (the rows and the parse of each row); the importer
may raise ImportFileError for the file or RowRejected for a row, nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from observatory.inventory.importers import ImportFileError, RowRejected, importer_get

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "importers"

CASES = [
    ("ananse-csv", "ananse_china_subset.csv"),
    ("szmakermap", "szmakermap_list.json"),
    ("hackerspaces-geojson", "hackerspaces_subset.geojson"),
    ("spaceapi-directory", "spaceapi_directory_subset.json"),
    ("fablabs", "fablabs_labs.json"),
    ("hackerspaces-ask-json", "smw_ask.json"),
    ("hackerspaces-ask-csv", "smw_ask.csv"),
    ("spaceapi", "spaceapi_v14.json"),
    ("osm-overpass", "overpass.json"),
    ("nesta", "survey.csv"),  # a CSV of the wrong shape: every row rejected, none crashes
    ("spreadsheet", "survey.csv"),
]

mutation = st.lists(
    st.tuples(st.sampled_from(["flip", "delete", "insert", "drop_line", "dup_line", "truncate"]),
              st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=4)),
    min_size=1, max_size=4)


def _mutate(data: bytes, operations) -> bytes:
    for operation, where, blob in operations:
        at = int(where * max(len(data), 1))
        if operation == "flip" and data:
            data = data[:at] + bytes([data[at] ^ blob[0]]) + data[at + 1:]
        elif operation == "delete":
            data = data[:at] + data[at + len(blob):]
        elif operation == "insert":
            data = data[:at] + blob + data[at:]
        elif operation in ("drop_line", "dup_line"):
            lines = data.split(b"\n")
            index = int(where * len(lines))
            if operation == "drop_line":
                del lines[index]
            else:
                lines.insert(index, lines[index])
            data = b"\n".join(lines)
        elif operation == "truncate":
            data = data[:at]
    return data


def _run(importer, path: Path) -> None:
    try:
        rows = list(importer.rows(path))
    except ImportFileError as exc:
        assert str(exc).startswith(str(path))
        return
    for raw in rows:
        try:
            importer.parse(raw)
        except RowRejected as exc:
            assert exc.field is not None and exc.reason


@pytest.mark.parametrize(("name", "filename"), CASES)
def test_it_never_crashes_on_a_mutated_file(name, filename, tmp_path_factory):
    importer = importer_get(name, mapping=FIXTURES / "survey.yaml" if name == "spreadsheet" else None)
    original = (FIXTURES / filename).read_bytes()
    folder = tmp_path_factory.mktemp(name)

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(mutation)
    def run(operations):
        path = folder / filename
        path.write_bytes(_mutate(original, operations))
        _run(importer, path)

    run()
