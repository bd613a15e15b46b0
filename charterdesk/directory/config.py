"""Load an institution's configuration (directory data) from a TOML file.

Loading is idempotent: rows are matched by code (offices, programmes) or Latvian name (areas,
external institutions) and updated; nothing is deleted.  Every value goes through the models'
validation, and an error names the file, the entry and the field.
"""

from __future__ import annotations

import tomllib
from datetime import time
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from charterdesk.calendar.models import Schedule, ScheduleHours
from charterdesk.calendar.services import calendar_changed
from charterdesk.directory.models import (
    CompetenceArea,
    ExternalInstitution,
    Institution,
    Office,
    Programme,
)

DEFAULT_CONFIG = Path(__file__).parent / "defaults" / "altum.toml"


class ConfigError(ValueError):
    pass


def _save(path: Path, where: str, obj: models.Model) -> None:
    try:
        obj.full_clean(validate_unique=False)
    except ValidationError as exc:
        problems = "; ".join(
            f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items()
        )
        raise ConfigError(f"{path}: {where}: {problems}") from None
    obj.save()


def _assign(obj: models.Model, data: dict[str, Any], fields: list[str]) -> None:
    for field in fields:
        if field in data:
            setattr(obj, field, data[field])


@transaction.atomic
def load_config(path: Path = DEFAULT_CONFIG) -> dict[str, int]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start});"
            " save it as UTF-8"
        ) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc}") from None
    counts: dict[str, int] = {}

    inst_data = data.get("institution")
    if not isinstance(inst_data, dict):
        raise ConfigError(f"{path}: needs an [institution] table")
    institution = Institution.objects.order_by("pk").first() or Institution()
    _assign(institution, inst_data, [f.name for f in Institution._meta.fields if f.name != "id"])
    _save(path, "[institution]", institution)
    counts["institution"] = 1

    sched = data.get("default_schedule")
    if sched:
        schedule = Schedule.objects.filter(is_default=True).first()
        if schedule is None:
            schedule, _ = Schedule.objects.get_or_create(name=sched["name"])
            schedule.is_default = True
            schedule.save()
        if not schedule.hours.exists():
            for weekday, opens, closes in sched.get("hours", []):
                ScheduleHours.objects.create(
                    schedule=schedule,
                    weekday=weekday,
                    opens=time.fromisoformat(opens),
                    closes=time.fromisoformat(closes),
                )
        counts["schedule"] = 1
        # Open timers are re-computed on the (possibly new) default calendar.
        calendar_changed()

    office_fields = ["name_lv", "name_en", "address", "phone", "email", "accessibility"]
    for i, item in enumerate(data.get("office", []), start=1):
        office = Office.objects.filter(code=item.get("code")).first() or Office(
            code=item.get("code", "")
        )
        _assign(office, item, office_fields)
        _save(path, f"office #{i} ({item.get('code')})", office)
    counts["offices"] = len(data.get("office", []))

    prog_fields = [
        "name_lv",
        "name_en",
        "category",
        "apply_via",
        "needs_identity_document",
        "public_phone",
        "public_email",
    ]
    for i, item in enumerate(data.get("programme", []), start=1):
        programme = Programme.objects.filter(code=item.get("code")).first() or Programme(
            code=item.get("code", "")
        )
        _assign(programme, item, prog_fields)
        _save(path, f"programme #{i} ({item.get('code')})", programme)
    counts["programmes"] = len(data.get("programme", []))

    for i, item in enumerate(data.get("competence_area", []), start=1):
        area = (
            CompetenceArea.objects.filter(name_lv=item.get("name_lv")).first() or CompetenceArea()
        )
        _assign(area, item, ["name_lv", "name_en"])
        _save(path, f"competence_area #{i}", area)
    counts["areas"] = len(data.get("competence_area", []))

    ext_fields = ["name_lv", "name_en", "phone", "email", "website", "address"]
    for i, item in enumerate(data.get("external", []), start=1):
        ext = (
            ExternalInstitution.objects.filter(name_lv=item.get("name_lv")).first()
            or ExternalInstitution()
        )
        _assign(ext, item, ext_fields)
        _save(path, f"external #{i} ({item.get('name_lv')})", ext)
        names = item.get("areas", [])
        areas = list(CompetenceArea.objects.filter(name_lv__in=names))
        missing = sorted(set(names) - {a.name_lv for a in areas})
        if missing:
            raise ConfigError(
                f"{path}: external #{i}: unknown areas of competence: {', '.join(missing)}"
            )
        ext.areas.set(areas)
    counts["external"] = len(data.get("external", []))
    return counts
