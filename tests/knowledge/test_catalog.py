"""The catalog's session links: what a learner's sessions reach."""

from __future__ import annotations

from pathlib import Path

from knowledge.catalog import Catalog


def test_sessions_reach_what_they_reuse_transitively_and_nothing_else(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "manifest.sqlite")
    catalog.link_session("parcours-a", ["parcours-b", "module-1"], "moodle:course/1")
    catalog.link_session("parcours-b", ["module-2"], "moodle:course/2")
    catalog.link_session("loop-x", ["loop-y"], "moodle:course/3")
    catalog.link_session("loop-y", ["loop-x"], "moodle:course/4")
    catalog.link_session("other", ["module-3"], "moodle:course/5")
    try:
        assert catalog.expand_sessions(["parcours-a"]) == {
            "parcours-a",
            "parcours-b",
            "module-1",
            "module-2",
        }
        assert catalog.expand_sessions(["loop-x"]) == {"loop-x", "loop-y"}
        assert catalog.expand_sessions(["unknown", "module-1"]) == {"unknown", "module-1"}
        assert catalog.expand_sessions([]) == frozenset()
    finally:
        catalog.close()
