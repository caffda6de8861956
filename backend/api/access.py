"""Who is calling, and what they may reach: the one place access control lives. Every route gets its objects through
`Access`, which checks the caller's role in the object's project against the role the route needs.

- Roles, lowest first: viewer (reads), annotator (also labels, uploads, edits classes, deletes images), owner (also
  workflows, runs, members, the project itself). An administrator is owner of every project and alone administers
  the server (users, the model store).
- The role a route needs is derived, secure by default (`needed_role`): reads (GET, HEAD) and the WebSocket need a
  viewer; every other method an owner, unless the handler lowers it with `opt={"least_role": "annotator"}` or
  `opt={"least_role": "viewer"}` (a write that changes nothing, e.g. predict or validate).
- A project the caller is no member of does not exist for them: 404 with the message a missing id gets, named by
  what the path asked for (an asset id answers "There is no asset …", never naming its project). A member whose
  role is too low gets 403 saying which role they have and which the action needs.
"""

from typing import Literal, TypeVar, cast, get_args

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from sqlmodel import Session, SQLModel, select

from backend.accounts.caller import Caller
from backend.db.models import Asset, ImageClass, Project, ProjectMember, Run, Workflow

T = TypeVar("T", bound=SQLModel)

Role = Literal["viewer", "annotator", "owner"]
ROLES: tuple[Role, ...] = get_args(Role)  # lowest first: each role may do what the ones before it may
READS = {"GET", "HEAD"}


def role_rank(role: Role) -> int:
    return ROLES.index(role)


def needed_role(connection: ASGIConnection) -> Role:
    """The least role the route asks for: viewer to read or watch, owner to change, unless the handler says less."""
    if connection.scope["type"] == "websocket":
        return "viewer"
    declared = connection.route_handler.opt.get("least_role")
    if declared is not None:
        if declared not in ROLES:
            raise ValueError(f"least_role {declared!r} of {connection.route_handler} is not one of {ROLES}")
        return cast(Role, declared)
    return "viewer" if connection.scope["method"] in READS else "owner"


def action_of(connection: ASGIConnection) -> str:
    """How a refusal names what was asked: the handler's name in words ("start run", "delete project")."""
    return (connection.route_handler.handler_name or "this").replace("_", " ").strip()


def caller_of(connection: ASGIConnection) -> Caller:
    """The caller the authentication middleware (backend/accounts/middleware.py) put on the connection."""
    caller = connection.scope.get("user")
    if not isinstance(caller, Caller):  # no middleware ran for this route: refuse rather than guess who it is
        raise NotAuthorizedException(detail="Log in first: this route needs a user.")
    return caller


def _article(words: str) -> str:
    return f"an {words}" if words[0] in "aeiou" else f"a {words}"


class Access:
    """`needs`: the role the route asks for in each project it reaches; `action`: the route, in words."""

    def __init__(self, session: Session, caller: Caller, needs: Role = "owner", action: str = "this") -> None:
        self.session = session
        self.caller = caller
        self.needs = needs
        self.action = action

    # --- the caller's role ------------------------------------------------------------------------------------

    def role_in(self, project_id: str) -> Role | None:
        """The caller's role in the project (None: no member, so it does not exist for them); admins own all."""
        if self.caller.is_admin:
            return "owner"
        if self.caller.user_id is None:
            return None
        member = self.session.get(ProjectMember, (project_id, self.caller.user_id))
        return cast(Role, member.role) if member is not None and member.role in ROLES else None

    def administer(self, what: str) -> None:
        """Changes that reach every project (`what`: e.g. "the model store", "users") are for administrators."""
        if not self.caller.is_admin:
            raise PermissionDeniedException(detail=f"Only an administrator may change {what}.")

    # --- what the caller may reach ----------------------------------------------------------------------------

    def projects(self) -> list[Project]:
        """The caller's projects, newest first (an administrator's: all of them)."""
        query = select(Project).order_by(Project.created_at.desc())
        if not self.caller.is_admin:
            query = query.join(ProjectMember, ProjectMember.project_id == Project.id).where(
                ProjectMember.user_id == self.caller.user_id
            )
        return list(self.session.exec(query).all())

    def project(self, project_id: str) -> Project:
        found = self._get(Project, project_id, "project")
        self._allow(found.id, "project", project_id)
        return found

    def image_class(self, class_id: str) -> ImageClass:
        found = self._get(ImageClass, class_id, "class")
        self._allow(found.project_id, "class", class_id)
        return found

    def asset(self, asset_id: str) -> Asset:
        found = self._get(Asset, asset_id, "asset")
        self._allow(found.project_id, "asset", asset_id)
        return found

    def workflow(self, workflow_id: str) -> Workflow:
        found = self._get(Workflow, workflow_id, "workflow")
        self._allow(found.project_id, "workflow", workflow_id)
        return found

    def run(self, run_id: str) -> Run:
        """A run of no project (run from the command line into this data dir) is the administrator's alone."""
        found = self._get(Run, run_id, "run")
        if found.project_id is not None:
            self._allow(found.project_id, "run", run_id)
        elif not self.caller.is_admin:
            raise self._missing("run", run_id)
        return found

    # --- the checks ---------------------------------------------------------------------------------------------

    def _allow(self, project_id: str, noun: str, key: str) -> None:
        """404 as for a missing id when the caller is no member; 403 when their role is below the route's."""
        role = self.role_in(project_id)
        if role is None:
            raise self._missing(noun, key)
        if role_rank(role) < role_rank(self.needs):
            enough = " or ".join(ROLES[role_rank(self.needs) :])  # "annotator or owner"
            raise PermissionDeniedException(
                detail=f"You are {_article(role)} of this project: {self.action} needs {_article(enough)}."
            )

    def _get(self, model: type[T], key: str, noun: str) -> T:
        found = self.session.get(model, key)
        if found is None:
            raise self._missing(noun, key)
        return found

    @staticmethod
    def _missing(noun: str, key: str) -> NotFoundException:
        return NotFoundException(detail=f"There is no {noun} {key!r}.")


def access_for(connection: ASGIConnection, session: Session) -> Access:
    """The `access` dependency of every route (backend/app.py provides it)."""
    return Access(session, caller_of(connection), needed_role(connection), action_of(connection))
