"""Seed tutorial 001, Part VI (Asset Management), as written.

Parts I to IV are rebuilt with the helpers of test_seed_part2b_to_4.py
(Part V, scheduling, is not needed here); then the tutorial's code runs in
order, with only the document's ``DBsession`` typo spelled ``DBSession``.
Its printed values become assertions; ``33`` in the document is the id the
repository got there, so the expected paths use ours.  The document prints
``vers3.filename`` as ``...v002``: a typo for ``...v003`` (spec 00).
"""

from __future__ import annotations

import os
import platform

import pytest

from .test_seed_part2b_to_4 import _end_of_part_2a, _part_1_and_2a, _part_3_tasks


@pytest.fixture
def tutorial_db(empty_database_settings):
    from stalker import db

    db.setup(empty_database_settings)
    db.init()


def test_part_6_asset_management(tutorial_db, monkeypatch):
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    from stalker.db.session import DBSession

    _me, new_project = _part_1_and_2a()
    _seq1, sh001, _sh002, _sh003 = _end_of_part_2a(new_project)
    *_, comp = _part_3_tasks(sh001)  # Part III; Part VI versions the comp task
    DBSession.commit()
    commercial_repo = new_project.repositories[0]

    # --- Part VI ----------------------------------------------------------------
    commercial_repo.linux_path = "/mnt/M/commercials"
    commercial_repo.macos_path = "/Volumes/M/commercials"
    commercial_repo.windows_path = "M:/commercials"  # you can use reverse
    # slashes (\\) if you want

    print(commercial_repo.path)
    assert commercial_repo.path == "/mnt/M/commercials/"

    from stalker import Structure

    commercial_project_structure = Structure(name="Commercial Projects Structure")

    # now assign this structure to our project
    new_project.structure = commercial_project_structure

    from stalker import FilenameTemplate

    task_template = FilenameTemplate(
        name="Task Template for Commercials",
        target_entity_type="Task",
        path="$REPO{{project.repository.id}}/{{project.code}}/{%- for p in parent_tasks -%}{{p.nice_name}}/{%- endfor -%}",  # noqa: E501
        filename='{{version.nice_name}}_v{{"%03d"|format(version.version_number)}}',
    )

    # and append it to our project structure
    commercial_project_structure.templates.append(task_template)

    # commit to database
    DBSession.commit()  # no need to add anything, project is already on db

    repo_id = commercial_repo.id
    assert os.environ[f"REPO{repo_id}"] == "/mnt/M/commercials/"

    from stalker import Version

    vers1 = Version(task=comp)

    # we need to update the paths
    vers1.update_paths()

    # check the path and filename
    print(vers1.path)  # '$REPO33/FC/SH001/comp'
    print(vers1.filename)  # 'SH001_comp_Main_v001'
    print(vers1.full_path)  # '$REPO33/FC/SH001/comp/SH001_comp_Main_v001'
    assert vers1.path == f"$REPO{repo_id}/FC/SH001/comp"
    assert vers1.filename == "SH001_comp_Main_v001"
    assert vers1.full_path == f"$REPO{repo_id}/FC/SH001/comp/SH001_comp_Main_v001"

    # now the absolute values, values with repository root
    print(vers1.absolute_path)  # '/mnt/M/commercials/FC/SH001/comp'
    print(vers1.absolute_full_path)
    assert vers1.absolute_path == "/mnt/M/commercials/FC/SH001/comp"
    assert (
        vers1.absolute_full_path
        == "/mnt/M/commercials/FC/SH001/comp/SH001_comp_Main_v001"
    )

    # check the version_number
    print(vers1.version_number)  # 1
    assert vers1.version_number == 1

    # commit to database
    DBSession.commit()

    vers1.is_published = False  # I still work on this version, this is not a
    # usable one

    # be sure that you've committed the previous version to the database
    # to let Stalker now what number to give for the next version
    vers2 = Version(task=comp)
    vers2.update_paths()

    print(vers2.version_number)  # 2
    print(vers2.filename)  # 'SH001_comp_Main_v002'
    assert vers2.version_number == 2
    assert vers2.filename == "SH001_comp_Main_v002"

    # before creating a new version commit this one to db
    DBSession.commit()

    # now create a new version
    vers3 = Version(task=comp)
    vers3.update_paths()

    print(vers3.version_number)  # 3
    print(vers3.filename)  # 'SH001_comp_Main_v003' (the document's v002 is a typo)
    assert vers3.version_number == 3
    assert vers3.filename == "SH001_comp_Main_v003"

    # using pure Python
    vers_from_python = comp.versions  # [<FC_SH001_comp_Main_v001 (Version)>,
    #  <FC_SH001_comp_Main_v002 (Version)>,
    #  <FC_SH001_comp_Main_v003 (Version)>]

    # or using a query
    vers_from_query = Version.query.filter_by(task=comp).all()

    assert vers_from_python == vers_from_query
    assert [repr(v) for v in vers_from_query] == [
        "<FC_SH001_comp_Main_v001 (Version)>",
        "<FC_SH001_comp_Main_v002 (Version)>",
        "<FC_SH001_comp_Main_v003 (Version)>",
    ]

    commercial_project_structure.custom_template = """
  Temp
  References
  References/Movies
  References/Images
  """
    DBSession.commit()

    # --- what the database holds afterwards -----------------------------------
    DBSession.expire_all()
    stored = Version.query.filter_by(task=comp).order_by(Version.version_number).all()
    assert [(v.version_number, v.filename) for v in stored] == [
        (1, "SH001_comp_Main_v001"),
        (2, "SH001_comp_Main_v002"),
        (3, "SH001_comp_Main_v003"),
    ]
    assert all(v.is_published is False for v in stored)
    assert stored[2].latest_version is stored[2]
    assert stored[0].max_version_number == 3
    assert "References/Movies" in new_project.structure.custom_template
