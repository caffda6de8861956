"""Class management: rename, colour, hotkey, merge, delete — merge and delete say first what they will do."""

from litestar import Controller, delete, patch, post
from litestar.exceptions import ClientException
from litestar.params import Body
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import delete as sql_delete
from sqlmodel import func, select, update

from backend.api.access import Access
from backend.api.answers import ClassDeleteResult, ClassMergeResult
from backend.api.documented import errors
from backend.api.schemas import ClassRead
from backend.datasets.class_names import class_name_problem
from backend.db.models import Annotation, ImageClass


class ClassUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    colour: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    hotkey: str | None = Field(
        default=None, pattern=r"^[0-9b-z]$", description="One key, 0-9 or b-z ('a' assigns the highlighted class)."
    )
    clear_hotkey: bool = False


class Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")
    into_class_id: str
    dry_run: bool = True


def _count(access: Access, class_id: str) -> int:
    return access.session.exec(
        select(func.count()).select_from(Annotation).where(Annotation.class_id == class_id)
    ).one()


def class_read(access: Access, image_class: ImageClass) -> ClassRead:
    return ClassRead(
        id=image_class.id,
        name=image_class.name,
        colour=image_class.colour,
        hotkey=image_class.hotkey,
        image_count=_count(access, image_class.id),
    )


class ClassController(Controller):
    path = "/api/classes"
    tags = ["classes"]

    @patch("/{class_id:str}", sync_to_thread=True, responses=errors(404, 409), opt={"least_role": "annotator"})
    def update_class(self, access: Access, class_id: str, data: ClassUpdate = Body()) -> ClassRead:
        image_class = access.image_class(class_id)
        siblings = access.session.exec(
            select(ImageClass).where(ImageClass.project_id == image_class.project_id, ImageClass.id != image_class.id)
        ).all()
        if data.name is not None:
            name = data.name.strip()
            if problem := class_name_problem(name):
                raise ClientException(detail=problem, extra={"field": "name"})
            if any(s.name == name for s in siblings):
                raise ClientException(
                    status_code=409, detail=f"Class {name!r} already exists.", extra={"field": "name"}
                )
            image_class.name = name
        if data.hotkey is not None:
            taken = next((s for s in siblings if s.hotkey == data.hotkey), None)
            if taken:
                raise ClientException(
                    status_code=409,
                    detail=f"Key {data.hotkey!r} already assigns {taken.name!r}.",
                    extra={"field": "hotkey"},
                )
            image_class.hotkey = data.hotkey
        if data.clear_hotkey:
            image_class.hotkey = None
        if data.colour is not None:
            image_class.colour = data.colour
        access.session.add(image_class)
        access.session.commit()
        return class_read(access, image_class)

    @delete(
        "/{class_id:str}", status_code=200, sync_to_thread=True, responses=errors(404), opt={"least_role": "annotator"}
    )
    def delete_class(self, access: Access, class_id: str, dry_run: bool = True) -> ClassDeleteResult:
        """Dry run (the default) says how many images would lose their label; then delete with dry_run=false."""
        image_class = access.image_class(class_id)
        labels = _count(access, image_class.id)
        if not dry_run:
            access.session.exec(sql_delete(Annotation).where(Annotation.class_id == image_class.id))
            access.session.delete(image_class)
            access.session.commit()
        return ClassDeleteResult.model_validate(
            {
                "deleted": not dry_run,
                "class": image_class.name,
                "labels_cleared": labels,
                "message": f"{labels} image(s) labelled {image_class.name!r} will become unlabelled."
                if dry_run
                else f"Deleted {image_class.name!r}; {labels} image(s) are now unlabelled.",
            }
        )

    @post(
        "/{class_id:str}/merge",
        status_code=200,
        sync_to_thread=True,
        responses=errors(404),
        opt={"least_role": "annotator"},
    )
    def merge_class(self, access: Access, class_id: str, data: Merge = Body()) -> ClassMergeResult:
        """Relabel every image of this class as `into_class_id`, then delete this class."""
        source, target = access.image_class(class_id), access.image_class(data.into_class_id)
        if target.project_id != source.project_id or target.id == source.id:
            raise ClientException(
                detail="Merge into another class of the same project.", extra={"field": "into_class_id"}
            )
        moved = _count(access, source.id)
        if not data.dry_run:
            access.session.exec(update(Annotation).where(Annotation.class_id == source.id).values(class_id=target.id))
            access.session.delete(source)
            access.session.commit()
        return ClassMergeResult(
            merged=not data.dry_run,
            moved=moved,
            message=f"{moved} image(s) move from {source.name!r} to {target.name!r}, and {source.name!r} is deleted.",
        )
