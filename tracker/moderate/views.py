"""The moderation queue (/moderation/, moderators only) and the public log (/moderation/log)."""

from __future__ import annotations

from babel import Locale
from blinker import Namespace
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import col, select

from tracker import notify
from tracker.auth import moderator_required
from tracker.db import get_session
from tracker.forms import error_list
from tracker.labels import label
from tracker.models import (
    PUBLIC_MODELS,
    Brand,
    DecisionAction,
    EntityType,
    ReasonCode,
    Submission,
    SubmissionKind,
    SubmissionState,
    User,
    Visibility,
)
from tracker.moderate import preview as previews
from tracker.moderate.forms import (
    ApproveForm,
    BulkForm,
    ChangesForm,
    EditNoteForm,
    MergeForm,
    RejectForm,
)
from tracker.services import duplicates, moderation, submissions
from tracker.services.publishing import CannotPublish
from tracker.submit.kinds import FORMS, build_form, context_of, editable, payload_of

bp = Blueprint("moderate", __name__, url_prefix="/moderation")
signals = Namespace()
# Sent after a decision that published or changed a record was committed: sender is the
# record, keyword argument decision. The right of reply subscribes to invite the brand.
decision_published = signals.signal("decision-published")
PAGE_SIZE = 50
AGES = (1, 7, 30, 90)
MERGE_TARGETS = {
    SubmissionKind.brand: EntityType.brand,
    SubmissionKind.claim: EntityType.claim,
    SubmissionKind.contradiction: EntityType.contradiction,
    SubmissionKind.response: EntityType.response,
    SubmissionKind.remedy: EntityType.outcome,
}


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < len(raw) < 7 else 1


def _enum_args(name: str, enum_cls) -> list:
    values = []
    for raw in request.args.getlist(name):
        try:
            values.append(enum_cls(raw))
        except ValueError:
            continue
    return values


# --- The queue -------------------------------------------------------------------------------


@bp.get("/")
@moderator_required
def queue():
    session = get_session()
    kinds = _enum_args("kind", SubmissionKind)
    states = _enum_args("state", SubmissionState)
    brand = None
    if request.args.get("brand"):
        brand = session.exec(select_brand(request.args["brand"])).first()
    age = request.args.get("age", "")
    older = int(age) if age.isdigit() and int(age) in AGES else None
    flagged = request.args.get("flagged") == "1"
    result = moderation.queue(
        session,
        kinds=kinds,
        brand_id=brand.id if brand else (-1 if request.args.get("brand") else None),
        states=states,
        older_than_days=older,
        flagged_only=flagged,
        page=_page(),
        page_size=PAGE_SIZE,
    )
    brand_names = _brand_names(session, {row.brand_id for row in result.rows if row.brand_id})
    bulk = BulkForm(formdata=None)
    bulk.fill_choices(result.rows)
    return render_template(
        "moderation/queue.html",
        result=result,
        kinds=kinds,
        states=states or [SubmissionState.pending, SubmissionState.awaiting_confirmation],
        brand=brand,
        brand_query=request.args.get("brand", ""),
        age=older,
        ages=AGES,
        flagged=flagged,
        brand_names=brand_names,
        bulk=bulk,
        all_kinds=list(SubmissionKind),
        all_states=list(SubmissionState),
    )


def select_brand(value: str):
    if value.isdigit():
        return select(Brand).where(Brand.id == int(value))
    return select(Brand).where(Brand.slug == value.strip().lower())


def _brand_names(session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.exec(select(Brand.id, Brand.name).where(col(Brand.id).in_(ids))).all())


@bp.post("/bulk")
@moderator_required
def bulk():
    session = get_session()
    form = BulkForm()
    form.fill_choices([])
    if not form.validate_on_submit():
        for _anchor, field_label, message in _errors(form):
            flash(f"{field_label}: {message}", "error")
        return redirect(url_for("moderate.queue"))
    result = moderation.bulk(
        session=session,
        moderator=current_user,
        items=form.items(),
        action=form.action.data,
        four_eyes=current_app.config["FOUR_EYES_CONTRADICTIONS"],
        reason_code=ReasonCode(form.reason_code.data) if form.reason_code.data else None,
        message=form.message.data,
    )
    session.commit()
    for submission_id in result.done + result.awaiting:
        _notify_contributor(session.get(Submission, submission_id))
    if result.done:
        flash(
            ngettext(
                "%(num)d submission decided.", "%(num)d submissions decided.", len(result.done)
            ),
            "success",
        )
    if result.awaiting:
        flash(
            ngettext(
                "%(num)d new contradiction now waits for a second moderator.",
                "%(num)d new contradictions now wait for a second moderator.",
                len(result.awaiting),
            ),
            "info",
        )
    for submission_id, reason in result.skipped:
        flash(
            _("#%(id)d was skipped: %(reason)s", id=submission_id, reason=_explain(reason)), "error"
        )
    return redirect(url_for("moderate.queue"))


def _errors(form):
    return error_list(form)


# --- One submission ----------------------------------------------------------------------


def _submission(submission_id: int) -> Submission:
    submission = get_session().get(Submission, submission_id)
    if submission is None:
        abort(404)
    return submission


def _detail(
    submission: Submission,
    status: int = 200,
    *,
    alert: str | None = None,
    problems: list[str] | None = None,
    **forms,
):
    session = get_session()
    first = moderation.latest_decision(session, submission)
    approved_first = first if first and first.action == DecisionAction.first_approval else None
    payload = (
        approved_first.edited_payload
        if approved_first and approved_first.edited_payload
        else submission.payload
    )
    preview = previews.build(session, submission, payload or {})
    submitter = session.get(User, submission.submitter_id) if submission.submitter_id else None
    reject = forms.get("reject") or RejectForm(formdata=None, lock_version=submission.lock_version)
    reject.fill_choices()
    merge = forms.get("merge") or MergeForm(formdata=None, lock_version=submission.lock_version)
    context = context_of(session, submission)
    return (
        render_template(
            "moderation/detail.html",
            submission=submission,
            submitter=submitter,
            preview=preview,
            payload=payload,
            live_duplicates=duplicates.find(session, submission),
            decisions=moderation.decisions(session, submission),
            versions=submissions.versions(session, submission),
            approved_first=approved_first,
            own=submitter is not None and submitter.id == current_user.id,
            approve_form=forms.get("approve")
            or ApproveForm(formdata=None, lock_version=submission.lock_version),
            reject_form=reject,
            changes_form=forms.get("changes")
            or ChangesForm(formdata=None, lock_version=submission.lock_version),
            merge_form=merge,
            merge_target=MERGE_TARGETS.get(submission.kind),
            can_edit=editable(context),
            alert=alert,
            problems=problems,
            decidable=submission.state in moderation.DECIDABLE,
            four_eyes=current_app.config["FOUR_EYES_CONTRADICTIONS"]
            and submission.kind in moderation.FOUR_EYES_KINDS,
        ),
        status,
    )


@bp.get("/<int:submission_id>")
@moderator_required
def detail(submission_id: int):
    return _detail(_submission(submission_id))


NOT_ALLOWED = {
    "nobody decides their own submission": lambda: _(
        "You cannot decide your own submission; another moderator will."
    ),
    "a second moderator must confirm what you approved": lambda: _(
        "You approved this contradiction first; a second moderator must confirm it."
    ),
    "only moderators decide submissions": lambda: _("Only moderators decide submissions."),
}


def _explain(message: str) -> str:
    """Return a moderation error in the moderator's language when it is a known one."""
    if message in NOT_ALLOWED:
        return NOT_ALLOWED[message]()
    if message.startswith("someone else decided"):
        return _("someone else decided it first.")
    return message


def _conflict_message(error: moderation.DecisionConflict) -> str:
    latest = error.latest
    if latest is not None:
        return _(
            "Another moderator decided this submission a moment ago (%(handle)s: %(action)s). "
            "Your decision was not applied, and nothing was published twice. This is how it "
            "stands now.",
            handle=latest.moderator_handle,
            action=label(latest.action),
        )
    return _(
        "This submission changed while you were looking at it (its contributor may have "
        "edited or withdrawn it). Your decision was not applied. This is how it stands now."
    )


def _decide(submission: Submission, form, act, form_key: str):
    """Run one decision in one unit of work, and answer every way it can go wrong."""
    session = get_session()
    if not form.validate_on_submit():
        return _detail(submission, 422, **{form_key: form})
    try:
        outcome = act(session, submission, form)
        session.commit()
    except moderation.DecisionConflict as error:
        session.rollback()
        session.refresh(submission)
        return _detail(submission, 409, alert=_conflict_message(error))
    except moderation.NotAllowed as error:
        session.rollback()
        return _detail(submission, 403, alert=_explain(str(error)))
    except (CannotPublish, moderation.ModerationError) as error:
        session.rollback()
        session.refresh(submission)
        problems = getattr(error, "problems", None) or [str(error)]
        return _detail(submission, 422, problems=problems)
    _notify_contributor(submission)
    _after_decision(outcome)
    flash(_decided_message(outcome), "success")
    return redirect(url_for("moderate.queue"))


def _decided_message(outcome: moderation.Outcome) -> str:
    action = outcome.decision.action
    number = outcome.decision.submission_id
    if action == DecisionAction.first_approval:
        return _(
            "#%(id)d approved; a second moderator must confirm it before it is published.",
            id=number,
        )
    if action in (DecisionAction.approve, DecisionAction.approve_edited, DecisionAction.confirm):
        return _("#%(id)d approved and published.", id=number)
    if action == DecisionAction.merge:
        return _("#%(id)d merged into the existing record.", id=number)
    if action == DecisionAction.reject:
        return _("#%(id)d rejected.", id=number)
    return _("#%(id)d sent back to its contributor for changes.", id=number)


def _after_decision(outcome: moderation.Outcome) -> None:
    """Tell subscribers (the right of reply) about a publication, after the commit."""
    if outcome.published is not None:
        decision_published.send(outcome.published, decision=outcome.decision)


def _notify_contributor(submission: Submission | None) -> None:
    """Mail the contributor the decision, if they left an address (or have an account)."""
    if submission is None:
        return
    session = get_session()
    session.refresh(submission)
    address, link = submission.contact_email, None
    if submission.submitter_id:
        user = session.get(User, submission.submitter_id)
        address = user.email if user else None
        link = url_for("submit.mine", submission_id=submission.id, _external=True)
    if not address or submission.state == SubmissionState.awaiting_confirmation:
        return
    record = None
    if submission.record_type and submission.record_id:
        record = session.get(PUBLIC_MODELS[submission.record_type], submission.record_id)
    notify.send(
        address,
        "mail/decision_subject.txt",
        "mail/decision.txt",
        locale=submission.contact_language,
        submission=submission,
        record=record,
        link=link,
    )


@bp.post("/<int:submission_id>/approve")
@moderator_required
def approve(submission_id: int):
    submission = _submission(submission_id)
    return _decide(
        submission,
        ApproveForm(),
        lambda session, s, form: moderation.approve(
            session=session,
            submission=s,
            moderator=current_user,
            expected_lock=form.expected_lock(),
            four_eyes=current_app.config["FOUR_EYES_CONTRADICTIONS"],
        ),
        "approve",
    )


@bp.post("/<int:submission_id>/reject")
@moderator_required
def reject(submission_id: int):
    submission = _submission(submission_id)
    form = RejectForm()
    form.fill_choices()
    return _decide(
        submission,
        form,
        lambda session, s, form: moderation.reject(
            session=session,
            submission=s,
            moderator=current_user,
            expected_lock=form.expected_lock(),
            reason_code=ReasonCode(form.reason_code.data),
            message=form.message.data,
        ),
        "reject",
    )


@bp.post("/<int:submission_id>/request-changes")
@moderator_required
def request_changes(submission_id: int):
    submission = _submission(submission_id)
    return _decide(
        submission,
        ChangesForm(),
        lambda session, s, form: moderation.request_changes(
            session=session,
            submission=s,
            moderator=current_user,
            expected_lock=form.expected_lock(),
            message=form.message.data,
        ),
        "changes",
    )


@bp.post("/<int:submission_id>/merge")
@moderator_required
def merge(submission_id: int):
    submission = _submission(submission_id)
    target_type = MERGE_TARGETS.get(submission.kind)
    if target_type is None:
        abort(400)

    def act(session, s, form):
        target = session.get(PUBLIC_MODELS[target_type], form.target.data)
        if target is None or target.visibility != Visibility.published:
            raise CannotPublish([_("There is no published record with that number.")])
        return moderation.merge(
            session=session,
            submission=s,
            moderator=current_user,
            expected_lock=form.expected_lock(),
            target=target,
            message=form.message.data,
        )

    return _decide(submission, MergeForm(), act, "merge")


@bp.route("/<int:submission_id>/edit", methods=["GET", "POST"])
@moderator_required
def edit(submission_id: int):
    """Edit a submission's content, then approve it; the edit is recorded with the decision."""
    submission = _submission(submission_id)
    session = get_session()
    back = url_for("moderate.detail", submission_id=submission.id)
    if submission.state not in moderation.DECIDABLE:
        flash(_("This submission was already decided."), "info")
        return redirect(back)
    context = context_of(session, submission)
    if not editable(context):
        flash(_("The record this submission is about is no longer published."), "error")
        return redirect(back)
    locale = Locale.parse(str(get_locale()))
    template = f"submit/{submission.kind.value}.html"
    page = {"context": context, "mode": "moderate", "submission": submission, "back_url": back}
    if request.method == "GET":
        first = moderation.latest_decision(session, submission)
        payload = (
            first.edited_payload
            if first and first.action == DecisionAction.first_approval and first.edited_payload
            else submission.payload
        ) or {}
        data = FORMS[submission.kind].data_from(payload)
        if context.brand is not None and not payload.get("brand_id"):
            data["brand"] = str(context.brand.id)  # a seed file named it instead
        form = build_form(
            submission.kind, session, context, locale=locale, data=data, formdata=None
        )
        return render_template(template, form=form, extra_form=EditNoteForm(formdata=None), **page)
    form = build_form(submission.kind, session, context, locale=locale)
    note = EditNoteForm()
    if "add_source" in request.form:
        form.add_source()
        return render_template(template, form=form, extra_form=note, **page)
    expected = request.form.get("lock_version", "")
    if not (form.validate_on_submit() and note.validate() and expected.isdigit()):
        return render_template(template, form=form, extra_form=note, **page), 422
    try:
        outcome = moderation.approve(
            session=session,
            submission=submission,
            moderator=current_user,
            expected_lock=int(expected),
            four_eyes=current_app.config["FOUR_EYES_CONTRADICTIONS"],
            edited_payload=payload_of(form, context),
            edit_note=note.edit_note.data or None,
        )
        session.commit()
    except moderation.DecisionConflict as error:
        session.rollback()
        session.refresh(submission)
        return _detail(submission, 409, alert=_conflict_message(error))
    except moderation.NotAllowed as error:
        session.rollback()
        return _detail(submission, 403, alert=_explain(str(error)))
    except CannotPublish as error:
        session.rollback()
        return render_template(
            template, form=form, extra_form=note, problems=error.problems, **page
        ), 422
    _notify_contributor(submission)
    _after_decision(outcome)
    flash(_decided_message(outcome), "success")
    return redirect(url_for("moderate.queue"))


# --- The public log ---------------------------------------------------------------------------


@bp.get("/log")
def log():
    session = get_session()
    action = _enum_args("decision", DecisionAction)
    kind = _enum_args("kind", SubmissionKind)
    page = moderation.public_log(
        session,
        action=action[0] if action else None,
        kind=kind[0] if kind else None,
        page=_page(),
        page_size=PAGE_SIZE,
    )
    return render_template(
        "moderation/log.html",
        page=page,
        records=moderation.log_records(session, page.rows),
        action=action[0] if action else None,
        kind=kind[0] if kind else None,
        all_actions=list(DecisionAction),
        all_kinds=list(SubmissionKind),
    )
