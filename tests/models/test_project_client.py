"""ProjectClient (spec 06 §11) and the Project.clients / Client.projects lists."""

from __future__ import annotations

import pytest

import stalker


@pytest.fixture
def models():
    from stalker.models.project import ProjectClient

    return ProjectClient


def test_project_client_makes_membership(session, models):
    project = stalker.Project(name="P", code="P")
    client = stalker.Client(name="Client")
    role = stalker.Role(name="Producer")
    link = models(project=project, client=client, role=role)
    assert client in project.clients
    assert project in client.projects
    assert link.role is role


def test_clients_are_set_like_from_both_sides(session, models):
    project = stalker.Project(name="P", code="P")
    client = stalker.Client(name="Client")
    project.clients.append(client)
    project.clients.append(client)
    client.projects.append(project)
    session.add(project)
    session.commit()
    assert project.clients == [client]
    assert len(project.client_role) == 1


def test_clients_are_type_checked(session, models):
    project = stalker.Project(name="P", code="P")
    with pytest.raises(TypeError, match=r"ProjectClient\.client"):
        project.clients.append("c")
    with pytest.raises(TypeError, match=r"Project\.clients should be a list"):
        project.clients = None
    with pytest.raises(TypeError, match=r"ProjectClient\.role"):
        models(role="r")


def test_constructor_clients(session, models):
    client = stalker.Client(name="Client")
    project = stalker.Project(name="P", code="P", clients=[client])
    assert project.clients == [client]
    session.add(project)
    session.commit()
    session.delete(project)
    session.commit()
    assert models.query.count() == 0
    assert stalker.Client.query.filter_by(name="Client").count() == 1
