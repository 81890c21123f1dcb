"""stalker.config: defaults, attribute/item access and the config.py override."""

import datetime

import pytest

import stalker
from stalker.config import Config


def test_defaults_is_a_config_created_at_import():
    assert isinstance(stalker.defaults, Config)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (
            "database_engine_settings",
            {"sqlalchemy.url": "sqlite://", "sqlalchemy.echo": False},
        ),
        ("admin_login", "admin"),
        ("admin_email", "admin@admin.com"),
        ("version_take_name", "Main"),
        ("timing_resolution", datetime.timedelta(hours=1)),
        ("task_priority", 500),
        ("daily_working_hours", 9),
        ("weekly_working_days", 5),
        ("weekly_working_hours", 45),
        ("yearly_working_days", 261),
        (
            "task_status_codes",
            ["WFD", "RTS", "WIP", "PREV", "HREV", "DREV", "OH", "STOP", "CMPL"],
        ),
        ("ticket_status_codes", ["NEW", "ACP", "ASG", "ROP", "CLS"]),
        ("repo_env_var_template", "REPO%(code)s"),
        ("repo_env_var_template_old", "REPO%(id)s"),
        ("default_resolution_preset", "HD 1080"),
        (
            "allocation_strategy",
            ["minallocated", "maxloaded", "minloaded", "order", "random"],
        ),
    ],
)
def test_default_values(key, expected):
    assert Config()[key] == expected


def test_working_hours_default_is_nine_to_six_on_weekdays():
    working_hours = Config().working_hours
    assert working_hours["mon"] == [[540, 1080]]
    assert working_hours["fri"] == [[540, 1080]]
    assert working_hours["sat"] == [] and working_hours["sun"] == []


def test_ticket_workflow_table():
    workflow = Config().ticket_workflow
    assert workflow["resolve"]["New"] == {
        "new_status": "Closed",
        "action": "set_resolution",
    }
    assert workflow["accept"]["Reopened"]["new_status"] == "Accepted"
    assert workflow["reopen"] == {
        "Closed": {"new_status": "Reopened", "action": "del_resolution"}
    }


def test_resolution_presets_hold_width_height_aspect():
    presets = Config().resolution_presets
    assert presets["HD 1080"] == [1920, 1080, 1.0]
    assert presets["PAL"] == [720, 576, 1.067]


def test_attribute_and_item_access_agree():
    config = Config()
    config.new_key = 1
    assert config["new_key"] == 1
    config["other"] = 2
    assert config.other == 2
    assert "other" in config
    del config["other"]
    assert "other" not in config


def test_unknown_key_is_attribute_and_key_error():
    config = Config()
    assert not hasattr(config, "no_such_key")
    assert getattr(config, "no_such_key", 42) == 42
    with pytest.raises(KeyError):
        _ = config.no_such_key
    with pytest.raises(KeyError):
        _ = config["no_such_key"]


def test_instances_do_not_share_mutable_defaults():
    first, second = Config(), Config()
    first.actions.append("Publish")
    assert "Publish" not in second.actions
    assert "Publish" not in Config.default_config_values["actions"]


def test_config_file_overrides_and_adds_keys(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text(
        "admin_name = 'boss'\nstudio_motto = 'ship it'\n"
    )
    monkeypatch.setenv("STALKER_PATH", str(tmp_path))
    config = Config()
    assert config.admin_name == "boss"
    assert config.studio_motto == "ship it"
    assert config.admin_login == "admin"


def test_config_path_expands_nested_environment_variables(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("tj_command = '/opt/tj3'\n")
    monkeypatch.setenv("STUDIO_ROOT", str(tmp_path))
    monkeypatch.setenv("STUDIO_CONFIG", "$STUDIO_ROOT")
    monkeypatch.setenv("STALKER_PATH", "$STUDIO_CONFIG")
    assert Config().tj_command == "/opt/tj3"


def test_missing_config_file_keeps_defaults(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("STALKER_PATH", str(tmp_path / "nowhere"))
    config = Config()
    assert config.admin_name == "admin"
    assert "config" in caplog.text


def test_syntax_error_in_config_file_is_a_runtime_error(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("def broken(:\n")
    monkeypatch.setenv("STALKER_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match="syntax error"):
        Config()


def test_tj_command_falls_back_to_tj3_on_path(tmp_path, monkeypatch):
    fake_tj3 = tmp_path / "tj3"
    fake_tj3.write_text("#!/bin/sh\n")
    fake_tj3.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("os.path.isfile", lambda path: path == str(fake_tj3))
    assert Config().tj_command == str(fake_tj3)


def test_configured_tj_command_is_kept(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("tj_command = 'C:\\\\tj3\\\\tj3.exe'\n")
    monkeypatch.setenv("STALKER_PATH", str(tmp_path))
    assert Config().tj_command == "C:\\tj3\\tj3.exe"


def test_failing_config_file_names_the_file(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text("value = undefined_name\n")
    monkeypatch.setenv("STALKER_PATH", str(tmp_path))
    with pytest.raises(RuntimeError, match=r"config\.py"):
        Config()
