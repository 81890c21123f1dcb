"""Seed 004 (the package README's tour), to its end (no scheduling in it).

The README text is cut mid-call in places; the missing arguments are filled
in plausibly (codes, paths, ``parent=character1``, ``parent=shot``) and marked.
"""

from __future__ import annotations

import platform

import pytest

# Imported before db.setup() creates the tables (``stalker`` itself will
# import these once it re-exports Asset, Shot, Sequence and Scene).
import stalker.models.asset
import stalker.models.shot  # noqa: F401


@pytest.fixture
def readme_db(empty_database_settings):
    from stalker import db

    db.setup(empty_database_settings)
    db.init()


def test_readme_tour(readme_db, monkeypatch):
    monkeypatch.setattr(platform, "system", lambda: "Linux")  # the asserted paths
    # Create a User:
    from stalker import User
    from stalker.db.session import DBSession

    me = User(
        name="Erkan Ozgur Yilmaz",
        login="erkanozgur",  # (filled in)
        email="my_email@gmail.com",  # (filled in)
        password="secret",  # (filled in)
    )

    # Save the user to database
    DBSession.save(me)

    # Create a Repository for project files to be saved under:
    from stalker import Repository

    repo = Repository(
        name="Commercial Projects Repository",
        code="CPR",  # (filled in)
        windows_path="Z:/Projects",  # (filled in)
        linux_path="/mnt/Z/Projects",  # (filled in)
        osx_path="/Volumes/Z/Projects",  # (filled in)
    )

    # Create a FilenameTemplate (to be used as file naming convention):
    from stalker import FilenameTemplate

    task_template = FilenameTemplate(
        name="Standard Task Filename Template",
        target_entity_type="Task",  # This is for files saved for Tasks
        path="$REPO{{project.repository.code}}/{{project.code}}/"  # (filled in)
        "{%- for parent_task in parent_tasks -%}"
        "{{parent_task.nice_name}}/"  # (filled in)
        "{%- endfor -%}",  # This is Jinja2 template code
        filename='{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}',
    )

    # Create a Structure that uses this template:
    from stalker import Structure

    standard_folder_structure = Structure(
        name="Standard Project Folder Structure",
        templates=[task_template],  # (filled in)
        custom_template="{{project.code}}/References",  # If you need extra folders
    )

    # Now create a Project that uses this structure and will be placed under
    # the repository:
    from stalker import Project

    new_project = Project(
        name="Test Project",
        code="TP",  # (filled in)
        structure=standard_folder_structure,  # (filled in)
        repositories=[repo],  # if you have more than one repository you can do it
    )

    # Define the project resolution:
    from stalker import ImageFormat

    hd1080 = ImageFormat(name="1080p", width=1920, height=1080)  # (filled in)

    # Set the project resolution:
    new_project.image_format = hd1080

    # Save the project and all the other data it is connected to it
    DBSession.save(new_project)

    # Create Assets, Shots and other Tasks:
    from stalker import Task, Type
    from stalker.models.asset import Asset
    from stalker.models.shot import Shot

    # define Character asset type
    char_type = Type(name="Character", code="CHAR", target_entity_type="Asset")

    character1 = Asset(
        name="Character 1",
        code="CHAR1",  # (filled in)
        type=char_type,  # (filled in)
        project=new_project,  # (filled in)
    )

    # Save the Asset
    DBSession.save(character1)

    model = Task(name="Model", parent=character1)  # (filled in)

    rigging = Task(
        name="Rig",  # (filled in)
        parent=character1,  # (filled in)
        depends=[model],  # For project management, define that Rig can not start
        # before Model ends.
        resources=[me],  # (filled in)
    )

    # Save the new tasks
    DBSession.save([model, rigging])

    # A shot and some tasks for it
    shot = Shot(name="SH001", code="SH001", project=new_project)  # (filled in)

    # Save the Shot
    DBSession.save(shot)

    animation = Task(name="Animation", parent=shot, resources=[me])  # (filled in)

    lighting = Task(
        name="Lighting",  # (filled in)
        parent=shot,  # (filled in)
        depends=[animation],  # Lighting can not start before Animation ends,
        schedule_timing=1,  # (filled in)
        schedule_unit="d",  # The task expected to take 1 day to complete
        resources=[me],  # (filled in)
    )
    DBSession.save([animation, lighting])

    # Let's create versions for the Animation task.
    from stalker import Version

    new_version = Version(task=animation)
    new_version.update_paths()  # to render the naming convention template
    new_version.extension = ".ma"  # let's say that we have created under Maya

    # Let's check how the version path is rendered:
    assert new_version.absolute_full_path == (  # (the README is cut here)
        "/mnt/Z/Projects/TP/SH001/Animation/SH001_Animation_Main_v001.ma"
    )
    assert new_version.version_number == 1

    # Create a new version and check that the version number increased
    # automatically:
    new_version2 = Version(task=animation)
    new_version2.update_paths()  # to render the naming convention template
    new_version2.extension = ".ma"  # let's say that we have created under Maya

    assert new_version2.version_number == 2
    DBSession.commit()  # (filled in: keep them)

    # --- what the README implies ----------------------------------------------
    DBSession.expire_all()
    assert new_project.root_tasks == [character1, shot]
    assert new_project.assets == [character1]
    assert new_project.shots == [shot]
    assert new_project.sequences == []
    assert character1.tasks == [model, rigging]
    assert shot.tasks == [animation, lighting]
    assert rigging.depends_on == [model] and lighting.depends_on == [animation]
    assert model.status.code == "RTS" and rigging.status.code == "WFD"
    assert animation.status.code == "RTS" and lighting.status.code == "WFD"
    assert character1.status.code == "RTS" and shot.status.code == "RTS"
    assert character1.type.name == "Character"
    assert shot.image_format.name == "1080p"
    assert shot.fps == 25.0
    assert lighting.schedule_seconds == 9 * 3600
    assert sorted(t.name for t in me.tasks) == ["Animation", "Lighting", "Rig"]
    assert animation.versions == [new_version, new_version2]
    assert new_version2.full_path == (
        "$REPOCPR/TP/SH001/Animation/SH001_Animation_Main_v002.ma"
    )
    assert new_version2.latest_version is new_version2
