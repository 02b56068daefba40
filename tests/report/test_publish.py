"""Publishing a bundle replaces the old one whole; a build that dies never reaches readers."""

from __future__ import annotations

import pytest

from r57_pipelines.report.publish import discard_stale_builds, new_build_directory, publish_directory, recover
from tests.builders import write_bundle


def test_a_new_build_replaces_the_old_bundle_whole(tmp_path):
    target = tmp_path / "reports"
    write_bundle(target, "old")
    (target / "only-in-old.html").write_text("old")
    build = new_build_directory(target)
    write_bundle(build, "new")
    publish_directory(build, target)
    assert (target / "readiness.json").read_text() == "new" and not (target / "only-in-old.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]  # no build or previous copy left


def test_a_build_that_fails_leaves_the_last_bundle_in_place(tmp_path):
    target = tmp_path / "reports"
    write_bundle(target, "old")
    build = new_build_directory(target)
    (build / "readiness.json").write_text("half")  # then the run dies: never published
    assert (target / "readiness.json").read_text() == "old"
    discard_stale_builds(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]


def test_a_run_killed_between_the_two_renames_is_recovered(tmp_path):
    target = tmp_path / "reports"
    write_bundle(target, "old")
    target.rename(tmp_path / ".reports.previous")  # the first rename happened, the second did not
    recover(target)
    assert (target / "readiness.json").read_text() == "old"


def test_the_first_publish_needs_no_previouswrite_bundle(tmp_path):
    target = tmp_path / "home" / "reports"
    build = new_build_directory(target)
    write_bundle(build, "first")
    publish_directory(build, target)
    assert (target / "vi" / "index.html").read_text() == "first"


def test_new_build_directories_sit_beside_the_target(tmp_path):
    build = new_build_directory(tmp_path / "reports")
    assert build.parent == tmp_path and build.name.startswith(".reports.build-")
    with pytest.raises(FileExistsError):
        build.mkdir()


def test_where_the_system_cannot_exchange_two_renames_publish(tmp_path, monkeypatch):
    import r57_pipelines.report.publish as publish

    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    target = tmp_path / "reports"
    write_bundle(target, "old")
    build = new_build_directory(target)
    write_bundle(build, "new")
    publish_directory(build, target)
    assert (target / "readiness.json").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
