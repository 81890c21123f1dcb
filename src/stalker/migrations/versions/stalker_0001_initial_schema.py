"""The schema as it was before migrations existed (stalker 0.3.0).

Revision ID: stalker_0001
Revises: (none: the first revision)

Databases made before this package had migrations are already stamped with
this id.  Written out table by table (first generated, then reviewed) so it
never changes when the models do; the types are plain SQLAlchemy ones and the
enum values are frozen here.  The downgrade drops everything, PostgreSQL's
enum types included.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "stalker_0001"
down_revision: str | None = None
branch_labels: str | tuple[str, ...] | None = None
depends_on: str | tuple[str, ...] | None = None


#: The PostgreSQL enum types the tables below create (SQLite has none).
ENUM_TYPES = (
    "AccessNames",
    "ActionNames",
    "AuthenticationActions",
    "PriorityType",
    "ResourceAllocationStrategy",
    "ReviewScheduleModel",
    "TaskDependencyGapModel",
    "TaskDependencyTarget",
    "TaskScheduleModel",
    "TicketActions",
    "TimeUnit",
)

#: SimpleEntities points at tables made after it: these keys come last.
LATE_FOREIGN_KEYS = (
    ("fk_SimpleEntities_created_by_id", "created_by_id", "Users"),
    ("fk_SimpleEntities_thumbnail_id", "thumbnail_id", "Links"),
    ("fk_SimpleEntities_type_id", "type_id", "Types"),
    ("fk_SimpleEntities_updated_by_id", "updated_by_id", "Users"),
)


def upgrade() -> None:
    op.create_table(
        "EntityTypes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("statusable", sa.Boolean(), nullable=False),
        sa.Column("dateable", sa.Boolean(), nullable=False),
        sa.Column("schedulable", sa.Boolean(), nullable=False),
        sa.Column("accepts_references", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "Permissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "access", sa.Enum("Allow", "Deny", name="AccessNames"), nullable=False
        ),
        sa.Column(
            "action",
            sa.Enum(
                "Create",
                "Read",
                "Update",
                "Delete",
                "List",
                name="AuthenticationActions",
            ),
            nullable=False,
        ),
        sa.Column("class_name", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("access", "action", "class_name"),
    )
    op.create_table(
        "SimpleEntities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("generic_text", sa.Text(), nullable=False),
        sa.Column("entity_type", sa.String(length=128), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("date_created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("date_updated", sa.DateTime(timezone=True), nullable=False),
        sa.Column("type_id", sa.Integer(), nullable=True),
        sa.Column("thumbnail_id", sa.Integer(), nullable=True),
        sa.Column("html_style", sa.String(length=64), nullable=False),
        sa.Column("html_class", sa.String(length=64), nullable=False),
        sa.Column("stalker_version", sa.String(length=256), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_SimpleEntities_created_by_id"),
        "SimpleEntities",
        ["created_by_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_SimpleEntities_thumbnail_id"),
        "SimpleEntities",
        ["thumbnail_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_SimpleEntities_type_id"), "SimpleEntities", ["type_id"], unique=False
    )
    op.create_index(
        op.f("ix_SimpleEntities_updated_by_id"),
        "SimpleEntities",
        ["updated_by_id"],
        unique=False,
    )
    op.create_table(
        "Entities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["SimpleEntities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "Notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["SimpleEntities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "SimpleEntity_GenericData",
        sa.Column("simple_entity_id", sa.Integer(), nullable=False),
        sa.Column("other_simple_entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["other_simple_entity_id"],
            ["SimpleEntities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["simple_entity_id"],
            ["SimpleEntities.id"],
        ),
        sa.PrimaryKeyConstraint("simple_entity_id", "other_simple_entity_id"),
    )
    op.create_index(
        op.f("ix_SimpleEntity_GenericData_other_simple_entity_id"),
        "SimpleEntity_GenericData",
        ["other_simple_entity_id"],
        unique=False,
    )
    op.create_table(
        "Tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["SimpleEntities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "Clients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "Departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "EntityGroups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "Entity_Notes",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("note_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["note_id"],
            ["Notes.id"],
        ),
        sa.PrimaryKeyConstraint("entity_id", "note_id"),
    )
    op.create_index(
        op.f("ix_Entity_Notes_note_id"), "Entity_Notes", ["note_id"], unique=False
    )
    op.create_table(
        "Entity_Tags",
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"],
            ["Tags.id"],
        ),
        sa.PrimaryKeyConstraint("entity_id", "tag_id"),
    )
    op.create_index(
        op.f("ix_Entity_Tags_tag_id"), "Entity_Tags", ["tag_id"], unique=False
    )
    op.create_table(
        "FilenameTemplates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("target_entity_type", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_FilenameTemplates_target_entity_type"),
        "FilenameTemplates",
        ["target_entity_type"],
        unique=False,
    )
    op.create_table(
        "Groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "ImageFormats",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("pixel_aspect", sa.Float(), nullable=False),
        sa.Column("print_resolution", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "Links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("full_path", sa.Text(), nullable=False),
        sa.Column("original_filename", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "PriceLists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "Repositories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("linux_path", sa.String(length=256), nullable=False),
        sa.Column("windows_path", sa.String(length=256), nullable=False),
        sa.Column("macos_path", sa.String(length=256), nullable=False),
        sa.Column("code", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "Roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "StatusLists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_entity_type", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_StatusLists_target_entity_type"),
        "StatusLists",
        ["target_entity_type"],
        unique=False,
    )
    op.create_table(
        "Statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "Structures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("custom_template", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "Types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target_entity_type", sa.String(length=128), nullable=False),
        sa.Column("code", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Types_target_entity_type"),
        "Types",
        ["target_entity_type"],
        unique=False,
    )
    op.create_table(
        "Users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=256), nullable=False),
        sa.Column("email", sa.String(length=256), nullable=False),
        sa.Column("password", sa.String(length=256), nullable=False),
        sa.Column("efficiency", sa.Float(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("login"),
    )
    op.create_table(
        "WorkingHours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "working_hours", sa.JSON().with_variant(sa.Text(), "sqlite"), nullable=False
        ),
        sa.Column("daily_working_hours", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "AuthenticationLogs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.Integer(), nullable=False),
        sa.Column(
            "action", sa.Enum("login", "logout", name="ActionNames"), nullable=False
        ),
        sa.Column("date", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["SimpleEntities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uid"],
            ["Users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_AuthenticationLogs_uid"), "AuthenticationLogs", ["uid"], unique=False
    )
    op.create_table(
        "Client_Users",
        sa.Column("uid", sa.Integer(), nullable=False),
        sa.Column("cid", sa.Integer(), nullable=False),
        sa.Column("rid", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cid"],
            ["Clients.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rid"],
            ["Roles.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uid"],
            ["Users.id"],
        ),
        sa.PrimaryKeyConstraint("uid", "cid"),
    )
    op.create_index(op.f("ix_Client_Users_cid"), "Client_Users", ["cid"], unique=False)
    op.create_index(op.f("ix_Client_Users_rid"), "Client_Users", ["rid"], unique=False)
    op.create_table(
        "Department_Users",
        sa.Column("uid", sa.Integer(), nullable=False),
        sa.Column("did", sa.Integer(), nullable=False),
        sa.Column("rid", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["did"],
            ["Departments.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rid"],
            ["Roles.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uid"],
            ["Users.id"],
        ),
        sa.PrimaryKeyConstraint("uid", "did"),
    )
    op.create_index(
        op.f("ix_Department_Users_did"), "Department_Users", ["did"], unique=False
    )
    op.create_index(
        op.f("ix_Department_Users_rid"), "Department_Users", ["rid"], unique=False
    )
    op.create_table(
        "EntityGroup_Entities",
        sa.Column("entity_group_id", sa.Integer(), nullable=False),
        sa.Column("other_entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_group_id"],
            ["EntityGroups.id"],
        ),
        sa.ForeignKeyConstraint(
            ["other_entity_id"],
            ["SimpleEntities.id"],
        ),
        sa.PrimaryKeyConstraint("entity_group_id", "other_entity_id"),
    )
    op.create_index(
        op.f("ix_EntityGroup_Entities_other_entity_id"),
        "EntityGroup_Entities",
        ["other_entity_id"],
        unique=False,
    )
    op.create_table(
        "Goods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("msrp", sa.Float(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=True),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["Clients.id"],
        ),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_Goods_client_id"), "Goods", ["client_id"], unique=False)
    op.create_table(
        "Group_Permissions",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("permission_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["Groups.id"],
        ),
        sa.ForeignKeyConstraint(
            ["permission_id"],
            ["Permissions.id"],
        ),
        sa.PrimaryKeyConstraint("group_id", "permission_id"),
    )
    op.create_index(
        op.f("ix_Group_Permissions_permission_id"),
        "Group_Permissions",
        ["permission_id"],
        unique=False,
    )
    op.create_table(
        "Group_Users",
        sa.Column("uid", sa.Integer(), nullable=False),
        sa.Column("gid", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["gid"],
            ["Groups.id"],
        ),
        sa.ForeignKeyConstraint(
            ["uid"],
            ["Users.id"],
        ),
        sa.PrimaryKeyConstraint("uid", "gid"),
    )
    op.create_index(op.f("ix_Group_Users_gid"), "Group_Users", ["gid"], unique=False)
    op.create_table(
        "Messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["Statuses.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["StatusLists.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Messages_status_id"), "Messages", ["status_id"], unique=False
    )
    op.create_index(
        op.f("ix_Messages_status_list_id"), "Messages", ["status_list_id"], unique=False
    )
    op.create_table(
        "Projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("structure_id", sa.Integer(), nullable=True),
        sa.Column("image_format_id", sa.Integer(), nullable=True),
        sa.Column("fps", sa.Float(precision=3), nullable=False),
        sa.Column("is_stereoscopic", sa.Boolean(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Interval(), nullable=True),
        sa.Column("computed_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("computed_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("code", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["image_format_id"],
            ["ImageFormats.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["Statuses.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["StatusLists.id"],
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["Structures.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Projects_image_format_id"),
        "Projects",
        ["image_format_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_Projects_status_id"), "Projects", ["status_id"], unique=False
    )
    op.create_index(
        op.f("ix_Projects_status_list_id"), "Projects", ["status_list_id"], unique=False
    )
    op.create_index(
        op.f("ix_Projects_structure_id"), "Projects", ["structure_id"], unique=False
    )
    op.create_table(
        "StatusList_Statuses",
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["Statuses.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"], ["StatusLists.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("status_list_id", "status_id"),
    )
    op.create_index(
        op.f("ix_StatusList_Statuses_status_id"),
        "StatusList_Statuses",
        ["status_id"],
        unique=False,
    )
    op.create_table(
        "Structure_FilenameTemplates",
        sa.Column("structure_id", sa.Integer(), nullable=False),
        sa.Column("filenametemplate_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["filenametemplate_id"],
            ["FilenameTemplates.id"],
        ),
        sa.ForeignKeyConstraint(
            ["structure_id"],
            ["Structures.id"],
        ),
        sa.PrimaryKeyConstraint("structure_id", "filenametemplate_id"),
    )
    op.create_index(
        op.f("ix_Structure_FilenameTemplates_filenametemplate_id"),
        "Structure_FilenameTemplates",
        ["filenametemplate_id"],
        unique=False,
    )
    op.create_table(
        "Studios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("timing_resolution", sa.Interval(), nullable=True),
        sa.Column("is_scheduling", sa.Boolean(), nullable=False),
        sa.Column("is_scheduling_by_id", sa.Integer(), nullable=True),
        sa.Column("scheduling_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_scheduled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_scheduled_by_id", sa.Integer(), nullable=True),
        sa.Column("last_schedule_message", sa.Text(), nullable=True),
        sa.Column("start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Interval(), nullable=True),
        sa.Column("computed_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("computed_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("working_hours_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["is_scheduling_by_id"],
            ["Users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["last_scheduled_by_id"],
            ["Users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["working_hours_id"],
            ["WorkingHours.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Studios_is_scheduling_by_id"),
        "Studios",
        ["is_scheduling_by_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_Studios_last_scheduled_by_id"),
        "Studios",
        ["last_scheduled_by_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_Studios_working_hours_id"),
        "Studios",
        ["working_hours_id"],
        unique=False,
    )
    op.create_table(
        "User_Permissions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("permission_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permission_id"],
            ["Permissions.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["Users.id"],
        ),
        sa.PrimaryKeyConstraint("user_id", "permission_id"),
    )
    op.create_index(
        op.f("ix_User_Permissions_permission_id"),
        "User_Permissions",
        ["permission_id"],
        unique=False,
    )
    op.create_table(
        "Vacations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Interval(), nullable=True),
        sa.Column("computed_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("computed_end", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"],
            ["SimpleEntities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["Users.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Vacations_user_id"), "Vacations", ["user_id"], unique=False
    )
    op.create_table(
        "Budgets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["Budgets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["Projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["Statuses.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["StatusLists.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Budgets_parent_id"), "Budgets", ["parent_id"], unique=False
    )
    op.create_index(
        op.f("ix_Budgets_project_id"), "Budgets", ["project_id"], unique=False
    )
    op.create_index(
        op.f("ix_Budgets_status_id"), "Budgets", ["status_id"], unique=False
    )
    op.create_index(
        op.f("ix_Budgets_status_list_id"), "Budgets", ["status_list_id"], unique=False
    )
    op.create_table(
        "Dailies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["Projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["Statuses.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["StatusLists.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Dailies_project_id"), "Dailies", ["project_id"], unique=False
    )
    op.create_index(
        op.f("ix_Dailies_status_id"), "Dailies", ["status_id"], unique=False
    )
    op.create_index(
        op.f("ix_Dailies_status_list_id"), "Dailies", ["status_list_id"], unique=False
    )
    op.create_table(
        "Pages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["Projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_Pages_project_id"), "Pages", ["project_id"], unique=False)
    op.create_table(
        "PriceList_Goods",
        sa.Column("price_list_id", sa.Integer(), nullable=False),
        sa.Column("good_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["good_id"],
            ["Goods.id"],
        ),
        sa.ForeignKeyConstraint(
            ["price_list_id"],
            ["PriceLists.id"],
        ),
        sa.PrimaryKeyConstraint("price_list_id", "good_id"),
    )
    op.create_index(
        op.f("ix_PriceList_Goods_good_id"), "PriceList_Goods", ["good_id"], unique=False
    )
    op.create_table(
        "Project_Clients",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("rid", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["Clients.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["Projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rid"],
            ["Roles.id"],
        ),
        sa.PrimaryKeyConstraint("project_id", "client_id"),
    )
    op.create_index(
        op.f("ix_Project_Clients_client_id"),
        "Project_Clients",
        ["client_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_Project_Clients_rid"), "Project_Clients", ["rid"], unique=False
    )
    op.create_table(
        "Project_References",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["Links.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["Projects.id"],
        ),
        sa.PrimaryKeyConstraint("project_id", "link_id"),
    )
    op.create_index(
        op.f("ix_Project_References_link_id"),
        "Project_References",
        ["link_id"],
        unique=False,
    )
    op.create_table(
        "Project_Repositories",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["Projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["repository_id"],
            ["Repositories.id"],
        ),
        sa.PrimaryKeyConstraint("project_id", "repository_id"),
    )
    op.create_index(
        op.f("ix_Project_Repositories_repository_id"),
        "Project_Repositories",
        ["repository_id"],
        unique=False,
    )
    op.create_table(
        "Project_Users",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("rate", sa.Float(), nullable=False),
        sa.Column("rid", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["Projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["rid"],
            ["Roles.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["Users.id"],
        ),
        sa.PrimaryKeyConstraint("project_id", "user_id"),
    )
    op.create_index(
        op.f("ix_Project_Users_rid"), "Project_Users", ["rid"], unique=False
    )
    op.create_index(
        op.f("ix_Project_Users_user_id"), "Project_Users", ["user_id"], unique=False
    )
    op.create_table(
        "Scenes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["Projects.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Scenes_project_id"), "Scenes", ["project_id"], unique=False
    )
    op.create_table(
        "Tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column(
            "allocation_strategy",
            sa.Enum(
                "minallocated",
                "maxloaded",
                "minloaded",
                "order",
                "random",
                name="ResourceAllocationStrategy",
            ),
            nullable=False,
        ),
        sa.Column("persistent_allocation", sa.Boolean(), nullable=False),
        sa.Column("is_milestone", sa.Boolean(), nullable=False),
        sa.Column("review_number", sa.Integer(), nullable=False),
        sa.Column("bid_timing", sa.Float(), nullable=True),
        sa.Column(
            "bid_unit",
            sa.Enum("min", "h", "d", "w", "m", "y", name="TimeUnit"),
            nullable=True,
        ),
        sa.Column("schedule_seconds", sa.Integer(), nullable=True),
        sa.Column("total_logged_seconds", sa.Integer(), nullable=True),
        sa.Column("good_id", sa.Integer(), nullable=True),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Interval(), nullable=True),
        sa.Column("computed_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("computed_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("schedule_timing", sa.Float(), nullable=True),
        sa.Column(
            "schedule_unit",
            sa.Enum("min", "h", "d", "w", "m", "y", name="TimeUnit"),
            nullable=False,
        ),
        sa.Column(
            "schedule_model",
            sa.Enum("effort", "length", "duration", name="TaskScheduleModel"),
            nullable=False,
        ),
        sa.Column("schedule_constraint", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["good_id"], ["Goods.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["Tasks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["Projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["Statuses.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["StatusLists.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_Tasks_good_id"), "Tasks", ["good_id"], unique=False)
    op.create_index(op.f("ix_Tasks_parent_id"), "Tasks", ["parent_id"], unique=False)
    op.create_index(op.f("ix_Tasks_project_id"), "Tasks", ["project_id"], unique=False)
    op.create_index(op.f("ix_Tasks_status_id"), "Tasks", ["status_id"], unique=False)
    op.create_index(
        op.f("ix_Tasks_status_list_id"), "Tasks", ["status_list_id"], unique=False
    )
    op.create_table(
        "Tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column(
            "priority",
            sa.Enum(
                "TRIVIAL", "MINOR", "MAJOR", "CRITICAL", "BLOCKER", name="PriorityType"
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("resolution", sa.String(length=128), nullable=True),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["Users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["Projects.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["Statuses.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["StatusLists.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index(op.f("ix_Tickets_owner_id"), "Tickets", ["owner_id"], unique=False)
    op.create_index(
        op.f("ix_Tickets_project_id"), "Tickets", ["project_id"], unique=False
    )
    op.create_index(
        op.f("ix_Tickets_status_id"), "Tickets", ["status_id"], unique=False
    )
    op.create_index(
        op.f("ix_Tickets_status_list_id"), "Tickets", ["status_list_id"], unique=False
    )
    op.create_table(
        "Assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "BudgetEntries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("good_id", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("msrp", sa.Float(), nullable=False),
        sa.Column("price", sa.Float(), nullable=False),
        sa.Column("realized_total", sa.Float(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["Budgets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["good_id"],
            ["Goods.id"],
        ),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_BudgetEntries_budget_id"), "BudgetEntries", ["budget_id"], unique=False
    )
    op.create_index(
        op.f("ix_BudgetEntries_good_id"), "BudgetEntries", ["good_id"], unique=False
    )
    op.create_table(
        "Daily_Links",
        sa.Column("daily_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["daily_id"],
            ["Dailies.id"],
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["Links.id"],
        ),
        sa.PrimaryKeyConstraint("daily_id", "link_id"),
    )
    op.create_index(
        op.f("ix_Daily_Links_link_id"), "Daily_Links", ["link_id"], unique=False
    )
    op.create_table(
        "Invoices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("budget_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["budget_id"],
            ["Budgets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["Clients.id"],
        ),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Invoices_budget_id"), "Invoices", ["budget_id"], unique=False
    )
    op.create_index(
        op.f("ix_Invoices_client_id"), "Invoices", ["client_id"], unique=False
    )
    op.create_table(
        "Reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("review_number", sa.Integer(), nullable=False),
        sa.Column("schedule_timing", sa.Float(), nullable=True),
        sa.Column(
            "schedule_unit",
            sa.Enum("min", "h", "d", "w", "m", "y", name="TimeUnit"),
            nullable=False,
        ),
        sa.Column(
            "schedule_model",
            sa.Enum("effort", "length", "duration", name="ReviewScheduleModel"),
            nullable=False,
        ),
        sa.Column("schedule_constraint", sa.Integer(), nullable=False),
        sa.Column("status_id", sa.Integer(), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["SimpleEntities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["Users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_id"],
            ["Statuses.id"],
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["StatusLists.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Reviews_reviewer_id"), "Reviews", ["reviewer_id"], unique=False
    )
    op.create_index(
        op.f("ix_Reviews_status_id"), "Reviews", ["status_id"], unique=False
    )
    op.create_index(
        op.f("ix_Reviews_status_list_id"), "Reviews", ["status_list_id"], unique=False
    )
    op.create_index(op.f("ix_Reviews_task_id"), "Reviews", ["task_id"], unique=False)
    op.create_table(
        "Sequences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "Shots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cut_in", sa.Integer(), nullable=True),
        sa.Column("cut_out", sa.Integer(), nullable=True),
        sa.Column("source_in", sa.Integer(), nullable=True),
        sa.Column("source_out", sa.Integer(), nullable=True),
        sa.Column("record_in", sa.Integer(), nullable=True),
        sa.Column("fps", sa.Float(precision=3), nullable=True),
        sa.Column("image_format_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=256), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Tasks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["image_format_id"],
            ["ImageFormats.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Shots_image_format_id"), "Shots", ["image_format_id"], unique=False
    )
    op.create_table(
        "Task_Alternative_Resources",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["Users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("task_id", "resource_id"),
    )
    op.create_index(
        op.f("ix_Task_Alternative_Resources_resource_id"),
        "Task_Alternative_Resources",
        ["resource_id"],
        unique=False,
    )
    op.create_table(
        "Task_Computed_Resources",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["Users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("task_id", "resource_id"),
    )
    op.create_index(
        op.f("ix_Task_Computed_Resources_resource_id"),
        "Task_Computed_Resources",
        ["resource_id"],
        unique=False,
    )
    op.create_table(
        "Task_Dependencies",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("depends_on_id", sa.Integer(), nullable=False),
        sa.Column(
            "dependency_target",
            sa.Enum("onend", "onstart", name="TaskDependencyTarget"),
            nullable=False,
        ),
        sa.Column("gap_timing", sa.Float(), nullable=True),
        sa.Column(
            "gap_unit",
            sa.Enum("min", "h", "d", "w", "m", "y", name="TimeUnit"),
            nullable=False,
        ),
        sa.Column(
            "gap_model",
            sa.Enum("length", "duration", name="TaskDependencyGapModel"),
            nullable=False,
        ),
        sa.Column("gap_constraint", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["depends_on_id"],
            ["Tasks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("task_id", "depends_on_id"),
    )
    op.create_index(
        op.f("ix_Task_Dependencies_depends_on_id"),
        "Task_Dependencies",
        ["depends_on_id"],
        unique=False,
    )
    op.create_table(
        "Task_References",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["Links.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("task_id", "link_id"),
    )
    op.create_index(
        op.f("ix_Task_References_link_id"), "Task_References", ["link_id"], unique=False
    )
    op.create_table(
        "Task_Resources",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["Users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("task_id", "resource_id"),
    )
    op.create_index(
        op.f("ix_Task_Resources_resource_id"),
        "Task_Resources",
        ["resource_id"],
        unique=False,
    )
    op.create_table(
        "Task_Responsible",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("responsible_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["responsible_id"],
            ["Users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("task_id", "responsible_id"),
    )
    op.create_index(
        op.f("ix_Task_Responsible_responsible_id"),
        "Task_Responsible",
        ["responsible_id"],
        unique=False,
    )
    op.create_table(
        "Task_Watchers",
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("watcher_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["Tasks.id"],
        ),
        sa.ForeignKeyConstraint(
            ["watcher_id"],
            ["Users.id"],
        ),
        sa.PrimaryKeyConstraint("task_id", "watcher_id"),
    )
    op.create_index(
        op.f("ix_Task_Watchers_watcher_id"),
        "Task_Watchers",
        ["watcher_id"],
        unique=False,
    )
    op.create_table(
        "TicketLogs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("from_status_id", sa.Integer(), nullable=True),
        sa.Column("to_status_id", sa.Integer(), nullable=True),
        sa.Column(
            "action",
            sa.Enum("resolve", "accept", "reassign", "reopen", name="TicketActions"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["from_status_id"],
            ["Statuses.id"],
        ),
        sa.ForeignKeyConstraint(
            ["id"],
            ["SimpleEntities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["Tickets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["to_status_id"],
            ["Statuses.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_TicketLogs_ticket_id"), "TicketLogs", ["ticket_id"], unique=False
    )
    op.create_table(
        "Ticket_Related_Tickets",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("related_ticket_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["related_ticket_id"],
            ["Tickets.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["Tickets.id"],
        ),
        sa.PrimaryKeyConstraint("ticket_id", "related_ticket_id"),
    )
    op.create_index(
        op.f("ix_Ticket_Related_Tickets_related_ticket_id"),
        "Ticket_Related_Tickets",
        ["related_ticket_id"],
        unique=False,
    )
    op.create_table(
        "Ticket_SimpleEntities",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("simple_entity_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["simple_entity_id"],
            ["SimpleEntities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["Tickets.id"],
        ),
        sa.PrimaryKeyConstraint("ticket_id", "simple_entity_id"),
    )
    op.create_index(
        op.f("ix_Ticket_SimpleEntities_simple_entity_id"),
        "Ticket_SimpleEntities",
        ["simple_entity_id"],
        unique=False,
    )
    op.create_table(
        "TimeLogs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("duration", sa.Interval(), nullable=True),
        sa.Column("computed_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("computed_end", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint('"end" > start', name="time_log_end_after_start"),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["Users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_TimeLogs_resource_id"), "TimeLogs", ["resource_id"], unique=False
    )
    op.create_index(op.f("ix_TimeLogs_task_id"), "TimeLogs", ["task_id"], unique=False)
    op.create_table(
        "Versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("take_name", sa.String(length=256), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("is_published", sa.Boolean(), nullable=False),
        sa.Column("created_with", sa.String(length=256), nullable=True),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Links.id"],
        ),
        sa.ForeignKeyConstraint(["parent_id"], ["Versions.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["Tasks.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "task_id",
            "take_name",
            "version_number",
            name="uq_Versions_task_id_take_name_version_number",
        ),
    )
    op.create_index(
        op.f("ix_Versions_parent_id"), "Versions", ["parent_id"], unique=False
    )
    op.create_table(
        "Payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invoice_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["id"],
            ["Entities.id"],
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["Invoices.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_Payments_invoice_id"), "Payments", ["invoice_id"], unique=False
    )
    op.create_table(
        "Shot_Scenes",
        sa.Column("shot_id", sa.Integer(), nullable=False),
        sa.Column("scene_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["scene_id"],
            ["Scenes.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shot_id"],
            ["Shots.id"],
        ),
        sa.PrimaryKeyConstraint("shot_id", "scene_id"),
    )
    op.create_index(
        op.f("ix_Shot_Scenes_scene_id"), "Shot_Scenes", ["scene_id"], unique=False
    )
    op.create_table(
        "Shot_Sequences",
        sa.Column("shot_id", sa.Integer(), nullable=False),
        sa.Column("sequence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sequence_id"],
            ["Sequences.id"],
        ),
        sa.ForeignKeyConstraint(
            ["shot_id"],
            ["Shots.id"],
        ),
        sa.PrimaryKeyConstraint("shot_id", "sequence_id"),
    )
    op.create_index(
        op.f("ix_Shot_Sequences_sequence_id"),
        "Shot_Sequences",
        ["sequence_id"],
        unique=False,
    )
    op.create_table(
        "Version_Inputs",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["Links.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["Versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", "link_id"),
    )
    op.create_index(
        op.f("ix_Version_Inputs_link_id"), "Version_Inputs", ["link_id"], unique=False
    )
    op.create_table(
        "Version_Outputs",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["Links.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["version_id"], ["Versions.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id", "link_id"),
    )
    op.create_index(
        op.f("ix_Version_Outputs_link_id"), "Version_Outputs", ["link_id"], unique=False
    )
    with op.batch_alter_table("SimpleEntities") as batch_op:
        for name, column, table in LATE_FOREIGN_KEYS:
            batch_op.create_foreign_key(name, table, [column], ["id"])


def downgrade() -> None:
    postgresql = op.get_context().dialect.name == "postgresql"
    if postgresql:  # SQLite drops them with the table (foreign keys are off)
        for name, _column, _table in LATE_FOREIGN_KEYS:
            op.drop_constraint(name, "SimpleEntities", type_="foreignkey")
    op.drop_index(op.f("ix_Version_Outputs_link_id"), table_name="Version_Outputs")
    op.drop_table("Version_Outputs")
    op.drop_index(op.f("ix_Version_Inputs_link_id"), table_name="Version_Inputs")
    op.drop_table("Version_Inputs")
    op.drop_index(op.f("ix_Shot_Sequences_sequence_id"), table_name="Shot_Sequences")
    op.drop_table("Shot_Sequences")
    op.drop_index(op.f("ix_Shot_Scenes_scene_id"), table_name="Shot_Scenes")
    op.drop_table("Shot_Scenes")
    op.drop_index(op.f("ix_Payments_invoice_id"), table_name="Payments")
    op.drop_table("Payments")
    op.drop_index(op.f("ix_Versions_parent_id"), table_name="Versions")
    op.drop_table("Versions")
    op.drop_index(op.f("ix_TimeLogs_task_id"), table_name="TimeLogs")
    op.drop_index(op.f("ix_TimeLogs_resource_id"), table_name="TimeLogs")
    op.drop_table("TimeLogs")
    op.drop_index(
        op.f("ix_Ticket_SimpleEntities_simple_entity_id"),
        table_name="Ticket_SimpleEntities",
    )
    op.drop_table("Ticket_SimpleEntities")
    op.drop_index(
        op.f("ix_Ticket_Related_Tickets_related_ticket_id"),
        table_name="Ticket_Related_Tickets",
    )
    op.drop_table("Ticket_Related_Tickets")
    op.drop_index(op.f("ix_TicketLogs_ticket_id"), table_name="TicketLogs")
    op.drop_table("TicketLogs")
    op.drop_index(op.f("ix_Task_Watchers_watcher_id"), table_name="Task_Watchers")
    op.drop_table("Task_Watchers")
    op.drop_index(
        op.f("ix_Task_Responsible_responsible_id"), table_name="Task_Responsible"
    )
    op.drop_table("Task_Responsible")
    op.drop_index(op.f("ix_Task_Resources_resource_id"), table_name="Task_Resources")
    op.drop_table("Task_Resources")
    op.drop_index(op.f("ix_Task_References_link_id"), table_name="Task_References")
    op.drop_table("Task_References")
    op.drop_index(
        op.f("ix_Task_Dependencies_depends_on_id"), table_name="Task_Dependencies"
    )
    op.drop_table("Task_Dependencies")
    op.drop_index(
        op.f("ix_Task_Computed_Resources_resource_id"),
        table_name="Task_Computed_Resources",
    )
    op.drop_table("Task_Computed_Resources")
    op.drop_index(
        op.f("ix_Task_Alternative_Resources_resource_id"),
        table_name="Task_Alternative_Resources",
    )
    op.drop_table("Task_Alternative_Resources")
    op.drop_index(op.f("ix_Shots_image_format_id"), table_name="Shots")
    op.drop_table("Shots")
    op.drop_table("Sequences")
    op.drop_index(op.f("ix_Reviews_task_id"), table_name="Reviews")
    op.drop_index(op.f("ix_Reviews_status_list_id"), table_name="Reviews")
    op.drop_index(op.f("ix_Reviews_status_id"), table_name="Reviews")
    op.drop_index(op.f("ix_Reviews_reviewer_id"), table_name="Reviews")
    op.drop_table("Reviews")
    op.drop_index(op.f("ix_Invoices_client_id"), table_name="Invoices")
    op.drop_index(op.f("ix_Invoices_budget_id"), table_name="Invoices")
    op.drop_table("Invoices")
    op.drop_index(op.f("ix_Daily_Links_link_id"), table_name="Daily_Links")
    op.drop_table("Daily_Links")
    op.drop_index(op.f("ix_BudgetEntries_good_id"), table_name="BudgetEntries")
    op.drop_index(op.f("ix_BudgetEntries_budget_id"), table_name="BudgetEntries")
    op.drop_table("BudgetEntries")
    op.drop_table("Assets")
    op.drop_index(op.f("ix_Tickets_status_list_id"), table_name="Tickets")
    op.drop_index(op.f("ix_Tickets_status_id"), table_name="Tickets")
    op.drop_index(op.f("ix_Tickets_project_id"), table_name="Tickets")
    op.drop_index(op.f("ix_Tickets_owner_id"), table_name="Tickets")
    op.drop_table("Tickets")
    op.drop_index(op.f("ix_Tasks_status_list_id"), table_name="Tasks")
    op.drop_index(op.f("ix_Tasks_status_id"), table_name="Tasks")
    op.drop_index(op.f("ix_Tasks_project_id"), table_name="Tasks")
    op.drop_index(op.f("ix_Tasks_parent_id"), table_name="Tasks")
    op.drop_index(op.f("ix_Tasks_good_id"), table_name="Tasks")
    op.drop_table("Tasks")
    op.drop_index(op.f("ix_Scenes_project_id"), table_name="Scenes")
    op.drop_table("Scenes")
    op.drop_index(op.f("ix_Project_Users_user_id"), table_name="Project_Users")
    op.drop_index(op.f("ix_Project_Users_rid"), table_name="Project_Users")
    op.drop_table("Project_Users")
    op.drop_index(
        op.f("ix_Project_Repositories_repository_id"), table_name="Project_Repositories"
    )
    op.drop_table("Project_Repositories")
    op.drop_index(
        op.f("ix_Project_References_link_id"), table_name="Project_References"
    )
    op.drop_table("Project_References")
    op.drop_index(op.f("ix_Project_Clients_rid"), table_name="Project_Clients")
    op.drop_index(op.f("ix_Project_Clients_client_id"), table_name="Project_Clients")
    op.drop_table("Project_Clients")
    op.drop_index(op.f("ix_PriceList_Goods_good_id"), table_name="PriceList_Goods")
    op.drop_table("PriceList_Goods")
    op.drop_index(op.f("ix_Pages_project_id"), table_name="Pages")
    op.drop_table("Pages")
    op.drop_index(op.f("ix_Dailies_status_list_id"), table_name="Dailies")
    op.drop_index(op.f("ix_Dailies_status_id"), table_name="Dailies")
    op.drop_index(op.f("ix_Dailies_project_id"), table_name="Dailies")
    op.drop_table("Dailies")
    op.drop_index(op.f("ix_Budgets_status_list_id"), table_name="Budgets")
    op.drop_index(op.f("ix_Budgets_status_id"), table_name="Budgets")
    op.drop_index(op.f("ix_Budgets_project_id"), table_name="Budgets")
    op.drop_index(op.f("ix_Budgets_parent_id"), table_name="Budgets")
    op.drop_table("Budgets")
    op.drop_index(op.f("ix_Vacations_user_id"), table_name="Vacations")
    op.drop_table("Vacations")
    op.drop_index(
        op.f("ix_User_Permissions_permission_id"), table_name="User_Permissions"
    )
    op.drop_table("User_Permissions")
    op.drop_index(op.f("ix_Studios_working_hours_id"), table_name="Studios")
    op.drop_index(op.f("ix_Studios_last_scheduled_by_id"), table_name="Studios")
    op.drop_index(op.f("ix_Studios_is_scheduling_by_id"), table_name="Studios")
    op.drop_table("Studios")
    op.drop_index(
        op.f("ix_Structure_FilenameTemplates_filenametemplate_id"),
        table_name="Structure_FilenameTemplates",
    )
    op.drop_table("Structure_FilenameTemplates")
    op.drop_index(
        op.f("ix_StatusList_Statuses_status_id"), table_name="StatusList_Statuses"
    )
    op.drop_table("StatusList_Statuses")
    op.drop_index(op.f("ix_Projects_structure_id"), table_name="Projects")
    op.drop_index(op.f("ix_Projects_status_list_id"), table_name="Projects")
    op.drop_index(op.f("ix_Projects_status_id"), table_name="Projects")
    op.drop_index(op.f("ix_Projects_image_format_id"), table_name="Projects")
    op.drop_table("Projects")
    op.drop_index(op.f("ix_Messages_status_list_id"), table_name="Messages")
    op.drop_index(op.f("ix_Messages_status_id"), table_name="Messages")
    op.drop_table("Messages")
    op.drop_index(op.f("ix_Group_Users_gid"), table_name="Group_Users")
    op.drop_table("Group_Users")
    op.drop_index(
        op.f("ix_Group_Permissions_permission_id"), table_name="Group_Permissions"
    )
    op.drop_table("Group_Permissions")
    op.drop_index(op.f("ix_Goods_client_id"), table_name="Goods")
    op.drop_table("Goods")
    op.drop_index(
        op.f("ix_EntityGroup_Entities_other_entity_id"),
        table_name="EntityGroup_Entities",
    )
    op.drop_table("EntityGroup_Entities")
    op.drop_index(op.f("ix_Department_Users_rid"), table_name="Department_Users")
    op.drop_index(op.f("ix_Department_Users_did"), table_name="Department_Users")
    op.drop_table("Department_Users")
    op.drop_index(op.f("ix_Client_Users_rid"), table_name="Client_Users")
    op.drop_index(op.f("ix_Client_Users_cid"), table_name="Client_Users")
    op.drop_table("Client_Users")
    op.drop_index(op.f("ix_AuthenticationLogs_uid"), table_name="AuthenticationLogs")
    op.drop_table("AuthenticationLogs")
    op.drop_table("WorkingHours")
    op.drop_table("Users")
    op.drop_index(op.f("ix_Types_target_entity_type"), table_name="Types")
    op.drop_table("Types")
    op.drop_table("Structures")
    op.drop_table("Statuses")
    op.drop_index(op.f("ix_StatusLists_target_entity_type"), table_name="StatusLists")
    op.drop_table("StatusLists")
    op.drop_table("Roles")
    op.drop_table("Repositories")
    op.drop_table("PriceLists")
    op.drop_table("Links")
    op.drop_table("ImageFormats")
    op.drop_table("Groups")
    op.drop_index(
        op.f("ix_FilenameTemplates_target_entity_type"), table_name="FilenameTemplates"
    )
    op.drop_table("FilenameTemplates")
    op.drop_index(op.f("ix_Entity_Tags_tag_id"), table_name="Entity_Tags")
    op.drop_table("Entity_Tags")
    op.drop_index(op.f("ix_Entity_Notes_note_id"), table_name="Entity_Notes")
    op.drop_table("Entity_Notes")
    op.drop_table("EntityGroups")
    op.drop_table("Departments")
    op.drop_table("Clients")
    op.drop_table("Tags")
    op.drop_index(
        op.f("ix_SimpleEntity_GenericData_other_simple_entity_id"),
        table_name="SimpleEntity_GenericData",
    )
    op.drop_table("SimpleEntity_GenericData")
    op.drop_table("Notes")
    op.drop_table("Entities")
    op.drop_index(op.f("ix_SimpleEntities_updated_by_id"), table_name="SimpleEntities")
    op.drop_index(op.f("ix_SimpleEntities_type_id"), table_name="SimpleEntities")
    op.drop_index(op.f("ix_SimpleEntities_thumbnail_id"), table_name="SimpleEntities")
    op.drop_index(op.f("ix_SimpleEntities_created_by_id"), table_name="SimpleEntities")
    op.drop_table("SimpleEntities")
    op.drop_table("Permissions")
    op.drop_table("EntityTypes")
    if postgresql:
        for name in ENUM_TYPES:
            op.execute(sa.text(f'DROP TYPE IF EXISTS "{name}"'))
