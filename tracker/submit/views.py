"""Contribution forms under /submit/, and the contributor's private page /submissions/<token>."""

from __future__ import annotations

from babel import Locale
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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from tracker import notify
from tracker.db import get_session
from tracker.forms import EmptyForm
from tracker.limits import SUBMIT, rate_limited
from tracker.models import (
    PUBLIC_MODELS,
    Brand,
    EntityType,
    PublicRecord,
    ResponseVia,
    Submission,
    SubmissionKind,
    SubmissionState,
    Visibility,
)
from tracker.services import submissions
from tracker.services.catalogue import NotFound, brand_by_slug
from tracker.submit.kinds import (
    FORMS,
    KindContext,
    build_form,
    context_of,
    editable,
    payload_of,
    published_brands,
    published_claims,
)

bp = Blueprint("submit", __name__)


def _locale() -> Locale:
    return Locale.parse(str(get_locale()))


def _anonymous_refused() -> WerkzeugResponse | None:
    """Send visitors to the login page when contributing needs an account."""
    if current_user.is_authenticated or current_app.config["ANONYMOUS_SUBMISSIONS"]:
        return None
    flash(_("Please log in to contribute."), "info")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _published_brand(slug: str) -> Brand:
    try:
        brand = brand_by_slug(get_session(), slug)
    except NotFound:
        abort(404)
    if brand.visibility != Visibility.published:
        abort(404)
    return brand


def _published_record(kind: str, record_id: int) -> PublicRecord:
    try:
        entity_type = EntityType(kind)
    except ValueError:
        abort(404)
    record = get_session().get(PUBLIC_MODELS[entity_type], record_id)
    if record is None or record.visibility != Visibility.published:
        abort(404)
    return record


def _contribute(context: KindContext, *, template: str, initial: dict | None = None, **page):
    """Show a contribution form; on a valid POST store the submission and show its receipt."""
    if refused := _anonymous_refused():
        return refused
    session = get_session()
    form = build_form(context.kind, session, context, locale=_locale(), data=initial or {})
    if request.method == "POST" and "add_source" in request.form:
        if not form.add_source():
            flash(_("A contribution can have at most 10 sources."), "info")
        return render_template(template, form=form, context=context, mode="new", **page)
    if form.validate_on_submit():
        user = current_user if current_user.is_authenticated else None
        target = context.target
        submission, token = submissions.submit(
            session=session,
            kind=context.kind,
            payload=payload_of(form, context),
            submitter=user,
            contact_email=form.contact_email.data if user is None else None,
            language=str(get_locale()),
            target_type=target.entity_type if target is not None else None,
            target_id=target.id if target is not None else None,
            brand_id=context.brand.id if context.brand else getattr(target, "brand_id", None),
        )
        session.commit()  # stored whole before anything else looks at it
        after_store(submission)
        _send_receipt(submission, token, user)
        flash(
            _(
                "Thank you! Your contribution was received and waits for a moderator. "
                "Keep the address of this page: it is your private link to follow it."
            ),
            "success",
        )
        return redirect(url_for("submit.status", token=token))
    status = 422 if form.is_submitted() and form.errors else 200
    return render_template(template, form=form, context=context, mode="new", **page), status


def after_store(submission: Submission) -> None:
    """Flag duplicates and tell subscribers; a failure here never loses the submission."""
    session = get_session()
    try:
        submissions.flag_duplicates(session=session, submission=submission)
        session.commit()
    except Exception:  # the submission is already safe; the flags can be found again later
        session.rollback()
        current_app.logger.exception("duplicate detection failed for submission %s", submission.id)
    try:
        submissions.submission_stored.send(submission, session=session)
        session.commit()
    except Exception:
        session.rollback()
        current_app.logger.exception("a submission_stored subscriber failed")


def _send_receipt(submission: Submission, token: str, user) -> None:
    address = user.email if user is not None else submission.contact_email
    if not address:
        return
    notify.send(
        address,
        "mail/receipt_subject.txt",
        "mail/receipt.txt",
        locale=submission.contact_language,
        submission=submission,
        link=url_for("submit.status", token=token, _external=True),
    )


# --- The forms ---------------------------------------------------------------------------


@bp.get("/submit/")
def index():
    represented = None
    if current_user.is_authenticated and current_user.is_verified_representative:
        represented = get_session().get(Brand, current_user.brand_id)
    return render_template("submit/index.html", represented=represented)


@bp.route("/submit/brand", methods=["GET", "POST"])
@rate_limited(SUBMIT)
def brand():
    return _contribute(KindContext(SubmissionKind.brand), template="submit/brand.html")


@bp.route("/submit/claim", methods=["GET", "POST"])
@rate_limited(SUBMIT)
def claim():
    context = KindContext(SubmissionKind.claim)
    initial = {}
    if request.args.get("brand"):
        context.brand = _published_brand(request.args["brand"])
        initial["brand"] = str(context.brand.id)
    return _contribute(context, template="submit/claim.html", initial=initial)


@bp.get("/submit/contradiction")
def choose_brand():
    slug = request.args.get("brand")
    if slug:
        return redirect(url_for("submit.contradiction", slug=slug))
    return render_template(
        "submit/choose_brand.html",
        brands=published_brands(get_session()),
        heading=_("Document a contradiction"),
    )


@bp.route("/submit/contradiction/<slug>", methods=["GET", "POST"])
@rate_limited(SUBMIT)
def contradiction(slug: str):
    brand = _published_brand(slug)
    context = KindContext(SubmissionKind.contradiction, brand=brand)
    if not published_claims(get_session(), brand):
        return render_template("submit/no_claims.html", brand=brand)
    return _contribute(context, template="submit/contradiction.html")


@bp.route("/submit/evidence/<kind>/<int:record_id>", methods=["GET", "POST"])
@rate_limited(SUBMIT)
def evidence(kind: str, record_id: int):
    record = _published_record(kind, record_id)
    if record.entity_type in (EntityType.brand, EntityType.source):
        abort(404)
    context = KindContext(SubmissionKind.evidence, target=record)
    return _contribute(context, template="submit/evidence.html")


@bp.route("/submit/correction/<kind>/<int:record_id>", methods=["GET", "POST"])
@rate_limited(SUBMIT)
def correction(kind: str, record_id: int):
    record = _published_record(kind, record_id)
    context = KindContext(SubmissionKind.correction, target=record)
    return _contribute(context, template="submit/correction.html")


@bp.route("/submit/response/<int:contradiction_id>", methods=["GET", "POST"])
@rate_limited(SUBMIT)
def response(contradiction_id: int):
    record = _published_record(EntityType.contradiction.value, contradiction_id)
    speaks = current_user.is_authenticated and current_user.speaks_for(record.brand_id)
    context = KindContext(
        SubmissionKind.response,
        target=record,
        brand=get_session().get(Brand, record.brand_id),
        via=ResponseVia.representative if speaks else ResponseVia.public_statement,
    )
    return _contribute(context, template="submit/response.html")


@bp.route("/submit/remedy/<slug>", methods=["GET", "POST"])
@login_required
@rate_limited(SUBMIT)
def remedy(slug: str):
    brand = _published_brand(slug)
    if not current_user.speaks_for(brand.id):
        abort(403)
    context = KindContext(SubmissionKind.remedy, brand=brand)
    return _contribute(context, template="submit/remedy.html")


# --- The contributor's private page ------------------------------------------------------


def _by_token(token: str) -> Submission:
    submission = submissions.by_token(get_session(), token)
    if submission is None:
        abort(404)
    return submission


def _mine(submission_id: int) -> Submission:
    submission = get_session().get(Submission, submission_id)
    if submission is None or submission.submitter_id != current_user.id:
        abort(404)
    return submission


def _private(response) -> WerkzeugResponse:
    """Keep a private page out of caches, search engines and other sites' referrer logs."""
    response = current_app.make_response(response)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "same-origin"
    return response


def _status_page(submission: Submission, urls: dict[str, str]):
    session = get_session()
    record = None
    if submission.record_type and submission.record_id:
        record = session.get(PUBLIC_MODELS[submission.record_type], submission.record_id)
    return _private(
        render_template(
            "submit/status.html",
            submission=submission,
            record=record,
            versions=submissions.versions(session, submission),
            urls=urls,
            private_link=urls.get("link"),
            empty_form=EmptyForm(),
        )
    )


def _token_urls(token: str) -> dict[str, str]:
    return {
        "link": url_for("submit.status", token=token, _external=True),
        "edit": url_for("submit.edit", token=token),
        "withdraw": url_for("submit.withdraw", token=token),
    }


def _mine_urls(submission: Submission) -> dict[str, str]:
    return {
        "edit": url_for("submit.edit_mine", submission_id=submission.id),
        "withdraw": url_for("submit.withdraw_mine", submission_id=submission.id),
    }


@bp.get("/submissions/<token>")
def status(token: str):
    return _status_page(_by_token(token), _token_urls(token))


@bp.get("/account/submissions/<int:submission_id>")
@login_required
def mine(submission_id: int):
    submission = _mine(submission_id)
    return _status_page(submission, _mine_urls(submission))


def _edit(submission: Submission, urls: dict[str, str], back: str):
    """Let the contributor edit and resubmit after a moderator asked for changes."""
    if submission.state != SubmissionState.changes_requested:
        flash(_("This submission cannot be edited now."), "info")
        return redirect(back)
    session = get_session()
    context = context_of(session, submission)
    if not editable(context):
        flash(_("The record this submission is about is no longer published."), "info")
        return redirect(back)
    template = f"submit/{submission.kind.value}.html"
    page = {"context": context, "mode": "resubmit", "submission": submission, "urls": urls}
    if request.method == "GET":
        form = build_form(
            submission.kind,
            session,
            context,
            locale=_locale(),
            data=_form_data(submission),
            formdata=None,
        )
        return _private(render_template(template, form=form, **page))
    form = build_form(submission.kind, session, context, locale=_locale())
    if "add_source" in request.form:
        form.add_source()
        return _private(render_template(template, form=form, **page))
    expected = request.form.get("lock_version", "")
    if form.validate_on_submit() and expected.isdigit():
        try:
            submissions.resubmit(
                session=session,
                submission=submission,
                payload=payload_of(form, context),
                expected_lock=int(expected),
            )
        except submissions.StateConflict:
            session.rollback()
            flash(
                _("This submission changed while you were editing it; nothing was saved."),
                "error",
            )
            return redirect(back)
        session.commit()
        after_store(submission)
        flash(_("Thank you! Your changes were sent back to the moderators."), "success")
        return redirect(back)
    return _private(render_template(template, form=form, **page)), 422


def _form_data(submission: Submission) -> dict:
    return FORMS[submission.kind].data_from(submission.payload or {})


@bp.route("/submissions/<token>/edit", methods=["GET", "POST"])
@rate_limited(SUBMIT)
def edit(token: str):
    submission = _by_token(token)
    return _edit(submission, _token_urls(token), url_for("submit.status", token=token))


@bp.route("/account/submissions/<int:submission_id>/edit", methods=["GET", "POST"])
@login_required
@rate_limited(SUBMIT)
def edit_mine(submission_id: int):
    submission = _mine(submission_id)
    back = url_for("submit.mine", submission_id=submission.id)
    return _edit(submission, _mine_urls(submission), back)


def _withdraw(submission: Submission, back: str):
    form = EmptyForm()
    expected = request.form.get("lock_version", "")
    if form.validate_on_submit() and expected.isdigit():
        session = get_session()
        try:
            submissions.withdraw(
                session=session, submission=submission, expected_lock=int(expected)
            )
        except submissions.StateConflict:
            session.rollback()
            flash(
                _("This submission was decided or changed meanwhile; it was not withdrawn."),
                "error",
            )
        else:
            session.commit()
            flash(_("Your submission was withdrawn. Nothing of it will be published."), "success")
    return redirect(back)


@bp.post("/submissions/<token>/withdraw")
def withdraw(token: str):
    return _withdraw(_by_token(token), url_for("submit.status", token=token))


@bp.post("/account/submissions/<int:submission_id>/withdraw")
@login_required
def withdraw_mine(submission_id: int):
    submission = _mine(submission_id)
    return _withdraw(submission, url_for("submit.mine", submission_id=submission.id))
