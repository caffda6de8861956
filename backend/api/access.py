"""Who is calling, and what they may reach. Every route gets its objects through `Access`, so access
control has exactly one place to live (today every caller is the local user and sees everything)."""

from dataclasses import dataclass
from typing import TypeVar

from litestar import Request
from litestar.exceptions import NotFoundException
from sqlmodel import Session, SQLModel, select

from backend.db.models import Asset, ImageClass, Project, Run, Workflow

T = TypeVar("T", bound=SQLModel)


@dataclass(frozen=True)
class Caller:
    name: str


class Access:
    def __init__(self, session: Session, caller: Caller) -> None:
        self.session = session
        self.caller = caller

    def administer(self, what: str) -> None:
        """Changes that reach every project (`what`: e.g. the model store) are for administrators. Today every caller
        is the local user, who administers this server; users and roles will decide here, in this one place."""

    def projects(self) -> list[Project]:
        return list(self.session.exec(select(Project).order_by(Project.created_at.desc())).all())

    def project(self, project_id: str) -> Project:
        return self._get(Project, project_id, "project")

    def image_class(self, class_id: str) -> ImageClass:
        found = self._get(ImageClass, class_id, "class")
        self.project(found.project_id)
        return found

    def asset(self, asset_id: str) -> Asset:
        found = self._get(Asset, asset_id, "asset")
        self.project(found.project_id)
        return found

    def workflow(self, workflow_id: str) -> Workflow:
        found = self._get(Workflow, workflow_id, "workflow")
        self.project(found.project_id)
        return found

    def run(self, run_id: str) -> Run:
        found = self._get(Run, run_id, "run")
        if found.project_id is not None:
            self.project(found.project_id)
        return found

    def _get(self, model: type[T], key: str, noun: str) -> T:
        found = self.session.get(model, key)
        if found is None:
            raise NotFoundException(detail=f"There is no {noun} {key!r}.")
        return found


def resolve_caller(request: Request) -> Caller:
    return Caller(name="local")
