"""`/api/moodle/events`: Moodle says which course or module changed (signed, not a JWT)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError

from assistant.moodle_events import FULL_SYNC_EVENT, MoodleEvents
from assistant.routers import RuntimeDep, SupportDep, note
from assistant.schemas import MoodleEvent, MoodleEventsStatus, problem_responses
from assistant.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER
from assistant.wiring import Runtime

router = APIRouter(prefix="/api/moodle", tags=["moodle"])


def _events(runtime: Runtime) -> MoodleEvents:
    if runtime.moodle_events is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            "Ce service ne suit pas de site Moodle (MENTOR_MOODLE_URL, MENTOR_MOODLE_TOKEN).",
        )
    return runtime.moodle_events


def _status(events: MoodleEvents) -> MoodleEventsStatus:
    last = events.last
    return MoodleEventsStatus(
        pending=events.pending,
        batches=events.batches,
        last_indexed=last.indexed if last else 0,
        last_removed=last.removed if last else 0,
        last_failures=list(last.failures) if last else [],
        last_seconds=last.seconds if last else None,
        last_latency_seconds=last.latency_seconds if last else None,
        last_finished_at=last.finished_at if last else None,
    )


@router.post(
    "/events",
    response_model=MoodleEventsStatus,
    status_code=status.HTTP_202_ACCEPTED,
    summary="Signaler une modification de cours (appel signé du plugin Moodle)",
    responses=problem_responses(401, 404, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": MoodleEvent.model_json_schema()}},
        }
    },
)
async def moodle_event(request: Request, runtime: RuntimeDep) -> MoodleEventsStatus:
    body = await request.body()
    # The signature first: an unsigned call learns nothing, not even whether Moodle is set up.
    runtime.event_signatures.verify(
        request.headers.get(TIMESTAMP_HEADER), request.headers.get(SIGNATURE_HEADER), body
    )
    events = _events(runtime)
    try:
        event = MoodleEvent.model_validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from error
    if event.event == FULL_SYNC_EVENT:
        events.submit_full_sync()
    elif event.courseid is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, "courseid manquant.")
    else:
        events.submit(event.courseid, event.cmid)
    note(request, moodle_event=event.event, course=event.courseid, module=event.cmid)
    return _status(events)


@router.get(
    "/events",
    response_model=MoodleEventsStatus,
    summary="État du suivi des événements Moodle",
    responses=problem_responses(401, 403, 404),
)
async def moodle_events_status(support: SupportDep, runtime: RuntimeDep) -> MoodleEventsStatus:
    return _status(_events(runtime))
