"""Projects and their classes (members: backend/api/members.py)."""

from litestar import Controller, delete, get, patch, post
from litestar.exceptions import ClientException
from litestar.params import Body
from sqlmodel import func, select

from backend.api.access import Access
from backend.api.answers import DatasetStats
from backend.api.classes import class_read
from backend.api.documented import errors
from backend.api.schemas import ClassCreate, ClassRead, ProjectCreate, ProjectRead, ProjectRename
from backend.datasets.class_names import class_name_problem
from backend.datasets.library import add_class
from backend.datasets.stats import dataset_stats
from backend.db.models import Annotation, Asset, ImageClass, Project, ProjectMember


def project_read(access: Access, project: Project) -> ProjectRead:
    session = access.session
    images = session.exec(select(func.count()).select_from(Asset).where(Asset.project_id == project.id)).one()
    labelled = session.exec(
        select(func.count())
        .select_from(Annotation)
        .join(Asset, Asset.id == Annotation.asset_id)
        .where(Asset.project_id == project.id)
    ).one()
    classes = session.exec(
        select(func.count()).select_from(ImageClass).where(ImageClass.project_id == project.id)
    ).one()
    return ProjectRead(
        **project.model_dump(),
        image_count=images,
        labelled_count=labelled,
        class_count=classes,
        my_role=access.role_in(project.id) or "viewer",  # None never reaches here: access.project() gave a 404
    )


class ProjectController(Controller):
    path = "/api/projects"
    tags = ["projects"]

    @get("/", sync_to_thread=True)
    def list_projects(self, access: Access) -> list[ProjectRead]:
        return [project_read(access, p) for p in access.projects()]

    @post("/", sync_to_thread=True)
    def create_project(self, access: Access, data: ProjectCreate = Body()) -> ProjectRead:
        """Any caller may create a project, and owns it (with accounts off, the local user owns every project)."""
        project = Project(name=data.name.strip(), task=data.task, content=data.content)
        access.session.add(project)
        if access.caller.user_id is not None:
            access.session.flush()  # the member row refers to the project row
            access.session.add(ProjectMember(project_id=project.id, user_id=access.caller.user_id, role="owner"))
        access.session.commit()
        return project_read(access, project)

    @get("/{project_id:str}", sync_to_thread=True, responses=errors(404))
    def get_project(self, access: Access, project_id: str) -> ProjectRead:
        return project_read(access, access.project(project_id))

    @patch("/{project_id:str}", sync_to_thread=True, responses=errors(400, 404))
    def rename_project(self, access: Access, project_id: str, data: ProjectRename = Body()) -> ProjectRead:
        project = access.project(project_id)
        if not (name := data.name.strip()):
            raise ClientException(detail="A project's name cannot be blank.", extra={"field": "name"})
        project.name = name
        access.session.add(project)
        access.session.commit()
        return project_read(access, project)

    @delete("/{project_id:str}", sync_to_thread=True, responses=errors(404))
    def delete_project(self, access: Access, project_id: str) -> None:
        access.session.delete(access.project(project_id))
        access.session.commit()

    @get("/{project_id:str}/classes", sync_to_thread=True, responses=errors(404))
    def list_classes(self, access: Access, project_id: str) -> list[ClassRead]:
        project = access.project(project_id)
        rows = access.session.exec(
            select(ImageClass, func.count(Annotation.asset_id))
            .join(Annotation, Annotation.class_id == ImageClass.id, isouter=True)
            .where(ImageClass.project_id == project.id)
            .group_by(ImageClass.id)
            .order_by(ImageClass.name)
        ).all()
        return [ClassRead(id=c.id, name=c.name, colour=c.colour, hotkey=c.hotkey, image_count=n) for c, n in rows]

    @post("/{project_id:str}/classes", sync_to_thread=True, responses=errors(404, 409), opt={"least_role": "annotator"})
    def create_class(self, access: Access, project_id: str, data: ClassCreate = Body()) -> ClassRead:
        project = access.project(project_id)
        name = data.name.strip()
        if problem := class_name_problem(name):
            raise ClientException(detail=problem, extra={"field": "name"})
        image_class, created = add_class(access.session, project.id, name)
        if not created:
            raise ClientException(status_code=409, detail=f"Class {name!r} already exists.", extra={"field": "name"})
        image_class.colour = data.colour or image_class.colour
        access.session.commit()
        return class_read(access, image_class)

    @get("/{project_id:str}/stats", sync_to_thread=True, responses=errors(404))
    def project_stats(self, access: Access, project_id: str) -> DatasetStats:
        return DatasetStats.model_validate(dataset_stats(access.session, access.project(project_id).id))
