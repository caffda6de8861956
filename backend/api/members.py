"""Who may work on a project, and as what: any member reads the list; an owner adds people, changes roles and removes
members, but never leaves the project without an owner (409). Roles and what each may do: backend/api/access.py."""

from litestar import Controller, delete, get, put
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import Body
from pydantic import BaseModel, ConfigDict
from sqlalchemy import delete as delete_rows
from sqlalchemy import update
from sqlmodel import func, select

from backend.api.access import Access, Role
from backend.api.documented import errors
from backend.db.models import Project, ProjectMember, User


class MemberRead(BaseModel):
    user_id: str
    name: str
    role: Role


class MemberWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role


class LastOwner(HTTPException):
    status_code = 409


def _member(access: Access, project: Project, user_id: str) -> ProjectMember | None:
    return access.session.get(ProjectMember, (project.id, user_id))


def _is_owner_taken_away(member: ProjectMember | None, new_role: Role | None) -> bool:
    return member is not None and member.role == "owner" and new_role != "owner"


def _take_owner_away(access: Access, member: ProjectMember, new_role: Role | None) -> None:
    """Demote (`new_role`) or remove (None) an owner, in one statement that also checks another owner remains, so two
    owners demoting each other at once cannot both pass (PostgreSQL: the owners' rows are locked first). 409 if not."""
    db, project_id = access.session, member.project_id
    is_owner = (ProjectMember.project_id == project_id, ProjectMember.role == "owner")
    db.exec(select(ProjectMember.user_id).where(*is_owner).with_for_update())
    others = (
        select(func.count())
        .select_from(ProjectMember)
        .where(*is_owner, ProjectMember.user_id != member.user_id)
        .scalar_subquery()
    )
    this_one = (ProjectMember.project_id == project_id, ProjectMember.user_id == member.user_id, others > 0)
    change = (
        delete_rows(ProjectMember).where(*this_one)
        if new_role is None
        else update(ProjectMember).where(*this_one).values(role=new_role)
    )
    if db.exec(change).rowcount == 0:
        db.rollback()
        raise LastOwner(detail="This is the project's last owner: make someone else owner first.")
    db.commit()


class MemberController(Controller):
    path = "/api/projects/{project_id:str}/members"
    tags = ["members"]

    @get("/", sync_to_thread=True, responses=errors(404))
    def list_members(self, access: Access, project_id: str) -> list[MemberRead]:
        project = access.project(project_id)
        rows = access.session.exec(
            select(ProjectMember.user_id, User.name, ProjectMember.role)
            .join(User, User.id == ProjectMember.user_id)
            .where(ProjectMember.project_id == project.id)
            .order_by(User.name)
        ).all()
        return [MemberRead(user_id=user_id, name=name, role=role) for user_id, name, role in rows]

    @put("/{user_id:str}", sync_to_thread=True, responses=errors(404, 409))
    def set_member(self, access: Access, project_id: str, user_id: str, data: MemberWrite = Body()) -> MemberRead:
        """Add the user with this role, or change their role."""
        project = access.project(project_id)
        user = access.session.get(User, user_id)
        if user is None:
            raise NotFoundException(detail=f"There is no user {user_id!r}.")
        member = _member(access, project, user.id)
        if member is not None and _is_owner_taken_away(member, data.role):
            _take_owner_away(access, member, data.role)
            return MemberRead(user_id=user.id, name=user.name, role=data.role)
        if member is None:
            member = ProjectMember(project_id=project.id, user_id=user.id, role=data.role)
        member.role = data.role
        access.session.add(member)
        access.session.commit()
        return MemberRead(user_id=user.id, name=user.name, role=data.role)

    @delete("/{user_id:str}", status_code=204, sync_to_thread=True, responses=errors(404, 409))
    def remove_member(self, access: Access, project_id: str, user_id: str) -> None:
        project = access.project(project_id)
        member = _member(access, project, user_id)
        if member is None:
            raise NotFoundException(detail=f"User {user_id!r} is not a member of this project.")
        if _is_owner_taken_away(member, None):
            _take_owner_away(access, member, None)
            return
        access.session.delete(member)
        access.session.commit()
