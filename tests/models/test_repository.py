"""Repository: roots per OS, env vars, path conversions (spec 06 §6)."""

from __future__ import annotations

import os
import platform

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stalker import Repository, defaults
from stalker.models.repository import normalize_root

LINUX = "/mnt/M/commercials"
WINDOWS = "M:\\commercials"
MACOS = "/Volumes/M/commercials"


@pytest.fixture
def on_os(monkeypatch):
    """Pretend to run on the given ``platform.system()`` value."""

    def switch(system: str) -> None:
        monkeypatch.setattr(platform, "system", lambda: system)

    switch("Linux")
    return switch


@pytest.fixture
def repo(on_os, monkeypatch):
    repository = Repository(
        name="Commercials",
        code="CR",
        linux_path=LINUX,
        windows_path=WINDOWS,
        macos_path=MACOS,
    )
    repository.id = 33
    monkeypatch.setenv("REPOCR", "/mnt/M/commercials/")
    monkeypatch.setenv("REPO33", "/mnt/M/commercials/")
    return repository


# --- construction and validation -------------------------------------------


def test_defaults_are_unset_roots(on_os):
    repository = Repository(name="R")
    assert repository.code is None
    assert (repository.linux_path, repository.windows_path) == ("./", "./")
    assert repository.macos_path == "./"


def test_name_is_required(on_os):
    with pytest.raises(TypeError, match=r"Repository\.name"):
        Repository(code="R")


@pytest.mark.parametrize("attr", ["linux_path", "windows_path", "macos_path"])
@pytest.mark.parametrize("bad", [None, 1, ["/a"]])
def test_path_type_is_checked(on_os, attr, bad):
    with pytest.raises(TypeError, match=f"Repository.{attr} should be a str"):
        Repository(name="R", **{attr: bad})
    repository = Repository(name="R")
    with pytest.raises(TypeError, match=f"Repository.{attr}"):
        setattr(repository, attr, bad)


def test_code_may_be_none_but_not_empty_or_non_str(on_os):
    repository = Repository(name="R", code="X")
    repository.code = None
    assert repository.code is None
    with pytest.raises(ValueError, match=r"Repository\.code"):
        Repository(name="R", code="")
    with pytest.raises(TypeError, match=r"Repository\.code"):
        Repository(name="R", code=12)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("/mnt/T", "/mnt/T/"),
        ("/mnt/T/", "/mnt/T/"),
        ("\\mnt\\M\\Projects", "/mnt/M/Projects/"),
        ("M:\\Projects", "M:/Projects/"),
        ("T:", "T:/"),
        ("M://", "M:/"),
        ("M://////", "M:/"),
        ("~/newRepoPath/Projects/", "~/newRepoPath/Projects/"),
        ("", "./"),
        ("/a/./b//c/", "/a/b/c/"),
        ("//server/share", "//server/share/"),
    ],
)
@pytest.mark.parametrize("attr", ["linux_path", "windows_path", "macos_path"])
@pytest.mark.parametrize("system", ["Linux", "Windows", "Darwin"])
def test_path_normalisation_table(on_os, attr, given, stored, system):
    on_os(system)  # the stored value never depends on the host OS
    repository = Repository(name="R", **{attr: given})
    assert getattr(repository, attr) == stored


def test_normalize_root_keeps_variables_and_tilde():
    assert normalize_root("$HOME/x") == "$HOME/x/"


def test_osx_path_is_an_alias_of_macos_path(on_os):
    repository = Repository(name="R", osx_path="/Volumes/A")
    assert repository.macos_path == "/Volumes/A/"
    repository.osx_path = "/Volumes/B"
    assert repository.macos_path == repository.osx_path == "/Volumes/B/"
    repository.macos_path = "/Volumes/C"
    assert repository.osx_path == "/Volumes/C/"


def test_macos_path_wins_over_osx_path(on_os):
    repository = Repository(name="R", macos_path="/Volumes/M", osx_path="/Volumes/O")
    assert repository.macos_path == "/Volumes/M/"


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ("Linux", "/mnt/M/commercials/"),
        ("Windows", "M:/commercials/"),
        ("Darwin", "/Volumes/M/commercials/"),
        ("Plan9", None),
    ],
)
def test_path_follows_the_running_os(repo, on_os, system, expected):
    on_os(system)
    assert repo.path == expected


@pytest.mark.parametrize(
    ("system", "attr"),
    [("Linux", "linux_path"), ("Windows", "windows_path"), ("Darwin", "macos_path")],
)
def test_path_setter_sets_the_current_os_attribute(on_os, system, attr):
    on_os(system)
    repository = Repository(name="R")
    repository.path = "/new/root"
    assert getattr(repository, attr) == "/new/root/"
    others = {"linux_path", "windows_path", "macos_path"} - {attr}
    assert all(getattr(repository, other) == "./" for other in others)


def test_path_setter_is_a_no_op_on_unknown_systems(on_os):
    on_os("Plan9")
    repository = Repository(name="R", code="P9")
    repository.path = "/x"
    assert repository.path is None
    assert repository.linux_path == "./"
    assert "REPOP9" not in os.environ


def test_equality_compares_name_and_roots(on_os):
    a = Repository(name="R", code="A", linux_path="/a")
    b = Repository(name="R", code="B", linux_path="/a")
    c = Repository(name="R", linux_path="/c")
    assert a == b
    assert a != c
    assert a.plural_class_name == "Repositories"


# --- environment variables -------------------------------------------------


@pytest.mark.parametrize(
    ("system", "attr", "value"),
    [
        ("Linux", "linux_path", "/mnt/X/"),
        ("Windows", "windows_path", "X:/"),
        ("Darwin", "macos_path", "/Volumes/X/"),
    ],
)
def test_current_os_root_sets_repo_code_variable(on_os, system, attr, value):
    on_os(system)
    os.environ.pop("REPOXX", None)
    Repository(name="R", code="XX", **{attr: value})
    assert os.environ["REPOXX"] == value


def test_other_os_roots_do_not_set_variables(on_os):
    repository = Repository(name="R", code="XX", linux_path="/mnt/X")
    repository.windows_path = "X:/"
    repository.macos_path = "/Volumes/X"
    assert os.environ["REPOXX"] == "/mnt/X/"


def test_no_code_variable_without_code(on_os):
    before = {k for k in os.environ if k.startswith("REPO")}
    Repository(name="R", linux_path="/mnt/nocode")
    assert {k for k in os.environ if k.startswith("REPO")} == before


def test_id_variable_is_set_on_path_change_once_flushed(on_os):
    repository = Repository(name="R")
    repository.id = 4711
    repository.linux_path = "/mnt/idpath"
    assert os.environ["REPO4711"] == "/mnt/idpath/"


def test_env_var_property(on_os):
    repository = Repository(name="R", code="CR")
    assert repository.env_var == "REPOCR"
    repository.code = None
    assert repository.env_var is None
    repository.id = 12
    assert repository.env_var == "REPO12"


def test_env_var_uses_configured_template(on_os):
    defaults.config_values["repo_env_var_template"] = "STUDIO_%(code)s"
    Repository(name="R", code="CR", linux_path="/tpl")
    assert os.environ["STUDIO_CR"] == "/tpl/"


def test_after_insert_sets_both_variables(session, on_os):
    repository = Repository(name="R", code="INS", linux_path="/mnt/ins")
    os.environ.pop("REPOINS", None)
    session.add(repository)
    session.commit()
    assert os.environ["REPOINS"] == "/mnt/ins/"
    assert os.environ[f"REPO{repository.id}"] == "/mnt/ins/"


def test_after_insert_without_code_sets_id_variable(session, on_os):
    repository = Repository(name="R", linux_path="/mnt/nocode")
    session.add(repository)
    session.commit()
    assert os.environ[f"REPO{repository.id}"] == "/mnt/nocode/"
    assert repository.env_var == f"REPO{repository.id}"


def test_unknown_os_insert_skips_registration(session, on_os):
    on_os("Plan9")
    repository = Repository(name="R", code="UNK", linux_path="/mnt/unk")
    session.add(repository)
    session.commit()
    assert "REPOUNK" not in os.environ
    assert f"REPO{repository.id}" not in os.environ


def test_create_repo_vars_publishes_existing_repositories(session, on_os):
    from stalker import db

    coded = Repository(name="A", code="CRV", linux_path="/mnt/crv")
    plain = Repository(name="B", linux_path="/mnt/plain")
    session.add_all([coded, plain])
    session.commit()
    for key in ("REPOCRV", f"REPO{coded.id}", f"REPO{plain.id}"):
        os.environ.pop(key, None)
    on_os("Windows")  # variables follow the OS at the time of the call
    coded.windows_path = "C:/crv"
    plain.windows_path = "P:/plain"
    session.commit()
    for key in ("REPOCRV", f"REPO{coded.id}", f"REPO{plain.id}"):
        os.environ.pop(key, None)
    db.create_repo_vars()
    assert os.environ["REPOCRV"] == "C:/crv/"
    assert os.environ[f"REPO{coded.id}"] == "C:/crv/"
    assert os.environ[f"REPO{plain.id}"] == "P:/plain/"


def test_db_setup_publishes_variables(empty_database_settings, on_os):
    from stalker import db
    from stalker.db.session import DBSession

    db.setup(empty_database_settings)
    db.init()
    repository = Repository(name="R", code="SETUP", linux_path="/mnt/setup")
    DBSession.add(repository)
    DBSession.commit()
    repo_id = repository.id
    DBSession.remove()
    os.environ.pop("REPOSETUP", None)
    os.environ.pop(f"REPO{repo_id}", None)
    db.setup(empty_database_settings)
    assert os.environ["REPOSETUP"] == "/mnt/setup/"
    assert os.environ[f"REPO{repo_id}"] == "/mnt/setup/"


# --- conversions (spec worked example) -------------------------------------


@pytest.mark.parametrize(
    ("method", "given", "expected"),
    [
        (
            "to_linux_path",
            "M:/commercials/FC/SH001/comp/a.ma",
            "/mnt/M/commercials/FC/SH001/comp/a.ma",
        ),
        (
            "to_linux_path",
            "M:\\commercials\\FC\\SH001\\comp\\a.ma",
            "/mnt/M/commercials/FC/SH001/comp/a.ma",
        ),
        ("to_windows_path", "/Volumes/M/commercials/FC/a.ma", "M:/commercials/FC/a.ma"),
        (
            "to_macos_path",
            "$REPOCR/FC/SH001/a.ma",
            "/Volumes/M/commercials/FC/SH001/a.ma",
        ),
        ("to_osx_path", "/mnt/M/commercials/a.ma", "/Volumes/M/commercials/a.ma"),
        ("to_windows_path", "$REPO33/FC/a.ma", "M:/commercials/FC/a.ma"),
        ("to_linux_path", "/other/place/a.ma", "/other/place/a.ma"),
        ("to_linux_path", "m:/commercials/FC/a.ma", "m:/commercials/FC/a.ma"),
        ("to_linux_path", "/mnt/M/commercials", "/mnt/M/commercials"),
        ("to_linux_path", "$REPO99/x", "$REPO99/x"),
        ("to_native_path", "M:/commercials/a.ma", "/mnt/M/commercials/a.ma"),
    ],
)
def test_conversion_table(repo, method, given, expected):
    assert getattr(repo, method)(given) == expected


@pytest.mark.parametrize(
    ("system", "expected"),
    [
        ("Linux", "/mnt/M/commercials/FC/a.ma"),
        ("Windows", "M:/commercials/FC/a.ma"),
        ("Darwin", "/Volumes/M/commercials/FC/a.ma"),
    ],
)
@pytest.mark.parametrize(
    "given",
    [
        "/mnt/M/commercials/FC/a.ma",
        "M:\\commercials\\FC\\a.ma",
        "/Volumes/M/commercials/FC/a.ma",
        "$REPOCR/FC/a.ma",
    ],
)
def test_native_path_on_each_os(repo, on_os, system, expected, given):
    on_os(system)
    assert repo.to_native_path(given) == expected


def test_tilde_is_expanded(repo, monkeypatch):
    monkeypatch.setenv("HOME", "/home/me")
    assert repo.to_linux_path("~/x.ma") == "/home/me/x.ma"


@pytest.mark.parametrize(
    "method",
    ["to_linux_path", "to_windows_path", "to_macos_path", "to_native_path"],
)
@pytest.mark.parametrize("bad", [None, 3, b"/mnt"])
def test_conversion_refuses_non_str(repo, method, bad):
    with pytest.raises(TypeError, match=r"Repository\.path should be a str"):
        getattr(repo, method)(bad)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("m:\\Commercials\\FC\\a.ma", True),
        ("M:/commercials/FC/a.ma", True),
        ("/mnt/M/commercials/FC/a.ma", True),
        ("/Volumes/M/commercials/a", True),
        ("/mnt/m/commercials/a", False),
        ("$REPOCR/FC/a.ma", False),
        ("/elsewhere/a", False),
        ("relative/a", False),
    ],
)
def test_is_in_repo(repo, given, expected):
    assert repo.is_in_repo(given) is expected


@pytest.mark.parametrize(
    "given",
    [
        "M:/commercials/FC/SH001/a.ma",
        "/Volumes/M/commercials/FC/SH001/a.ma",
        "/mnt/M/commercials/FC/SH001/a.ma",
        "$REPOCR/FC/SH001/a.ma",
        "$REPO33/FC/SH001/a.ma",
    ],
)
@pytest.mark.parametrize("system", ["Linux", "Windows", "Darwin"])
def test_make_relative(repo, on_os, given, system):
    on_os(system)
    assert repo.make_relative(given) == "FC/SH001/a.ma"


def test_find_repo_and_os_independent_path(session, on_os):
    repository = Repository(
        name="Commercials",
        code="CR",
        linux_path=LINUX,
        windows_path=WINDOWS,
        macos_path=MACOS,
    )
    other = Repository(name="Other", linux_path="/mnt/other")
    session.add_all([repository, other])
    session.commit()
    legacy = f"$REPO{repository.id}/FC/a.ma"
    assert Repository.find_repo("/mnt/M/commercials/FC/a.ma") is repository
    assert Repository.find_repo("m:/COMMERCIALS/FC/a.ma") is repository
    assert Repository.find_repo("/Volumes/M/commercials/a.ma") is repository
    assert Repository.find_repo(legacy) is repository
    assert Repository.find_repo("/mnt/other/x") is other
    assert Repository.find_repo("/nowhere/x") is None
    independent = Repository.to_os_independent_path
    assert independent("/mnt/M/commercials/FC/a.ma") == "$REPOCR/FC/a.ma"
    assert independent(legacy) == "$REPOCR/FC/a.ma"
    assert independent("M:/commercials/FC/a.ma") == "$REPOCR/FC/a.ma"
    assert independent("/mnt/other/x/y") == f"$REPO{other.id}/x/y"
    assert independent("/nowhere/x") == "/nowhere/x"


def test_paths_survive_a_round_trip_through_the_database(session, on_os):
    repository = Repository(name="R", code="DB", linux_path="/a", osx_path="/b")
    session.add(repository)
    session.commit()
    session.expire_all()
    loaded = Repository.query.filter_by(code="DB").one()
    assert (loaded.linux_path, loaded.macos_path, loaded.windows_path) == (
        "/a/",
        "/b/",
        "./",
    )


# --- property tests ----------------------------------------------------------

_segment = st.text(
    alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd"), max_codepoint=127)
    | st.sampled_from("_-."),
    min_size=1,
    max_size=8,
).filter(lambda s: s not in (".", ".."))
_relative = st.lists(_segment, min_size=1, max_size=5).map("/".join)


def _plain_repo() -> Repository:
    platform_system = platform.system
    try:
        platform.system = lambda: "Plan9"  # no env side effects
        return Repository(
            name="R", linux_path=LINUX, windows_path=WINDOWS, macos_path=MACOS
        )
    finally:
        platform.system = platform_system


@given(relative=_relative)
def test_round_trips_between_all_roots(relative):
    repository = _plain_repo()
    linux = f"/mnt/M/commercials/{relative}"
    windows = f"M:/commercials/{relative}"
    macos = f"/Volumes/M/commercials/{relative}"
    assert repository.to_windows_path(repository.to_linux_path(windows)) == windows
    assert repository.to_linux_path(repository.to_windows_path(linux)) == linux
    assert repository.to_macos_path(repository.to_windows_path(macos)) == macos
    assert repository.to_linux_path(repository.to_macos_path(linux)) == linux
    assert (
        repository.to_windows_path(repository.to_linux_path(windows.replace("/", "\\")))
        == windows
    )


@given(relative=_relative)
def test_make_relative_inverts_joining(relative):
    repository = _plain_repo()
    platform_system = platform.system
    try:
        platform.system = lambda: "Linux"
        for root in (
            "/mnt/M/commercials/",
            "M:/commercials/",
            "/Volumes/M/commercials/",
        ):
            assert repository.make_relative(root + relative) == relative
    finally:
        platform.system = platform_system


def test_an_unset_root_can_be_assigned_back_as_read():
    """``""`` is stored as ``"./"``: copying a repository's roots must work."""
    from stalker import Repository

    repository = Repository(name="Copy", code="CP", linux_path="/mnt/cp")
    assert repository.windows_path == "./"
    repository.windows_path = repository.windows_path
    copy = Repository(
        name="Copy 2",
        code="CP2",
        linux_path=repository.linux_path,
        windows_path=repository.windows_path,
        macos_path=repository.macos_path,
    )
    assert (copy.windows_path, copy.macos_path) == ("./", "./")
    assert copy.linux_path == repository.linux_path
