"""The moderator's review of one claim's legal flags: dismiss or restore a flag with a reason,
and record the facts the rules read. Every change is a new revision of the claim."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from tracker.auth import moderator_required
from tracker.db import get_session
from tracker.legal.display import claim_flags_for
from tracker.legal.forms import DismissForm, FactsForm, RestoreForm
from tracker.models import Claim
from tracker.services import catalogue, claim_flags
from tracker.services.catalogue import NotFound
from tracker.services.claim_flags import FlagError
from tracker.services.revisions import Author, RevisionConflict

bp = Blueprint("legal", __name__, url_prefix="/moderation/claims")


def _claim_or_404(claim_id: int) -> Claim:
    try:
        return catalogue.record_by_id(get_session(), Claim, claim_id)
    except NotFound:
        abort(404)


def _review_url(claim: Claim) -> str:
    return url_for("legal.review", claim_id=claim.id)


def _render(claim: Claim, *, failed: dict[str, object] | None = None, status: int = 200):
    """Show the review page; a form that failed validation keeps what was typed."""
    failed = failed or {}
    flags = claim_flags_for(claim)
    dismiss_forms = {
        view.rule.id: failed.get(f"dismiss-{view.rule.id}")
        or DismissForm(prefix=f"dismiss-{view.rule.id}", formdata=None)
        for view in flags.active
    }
    restore_forms = {
        view.rule.id: failed.get(f"restore-{view.rule.id}")
        or RestoreForm(prefix=f"restore-{view.rule.id}", formdata=None)
        for view in flags.dismissed
    }
    facts_form = failed.get("facts") or FactsForm(
        prefix="facts", formdata=None, data=FactsForm.data_of(claim)
    )
    return (
        render_template(
            "flags/review.html",
            record=claim,
            flags=flags,
            dismiss_forms=dismiss_forms,
            restore_forms=restore_forms,
            facts_form=facts_form,
        ),
        status,
    )


@bp.get("/<int:claim_id>/flags")
@moderator_required
def review(claim_id: int):
    return _render(_claim_or_404(claim_id))


@bp.post("/<int:claim_id>/flags/<rule_id>/dismiss")
@moderator_required
def dismiss(claim_id: int, rule_id: str):
    return _change_flag(
        claim_id,
        rule_id,
        action="dismiss",
        form_class=DismissForm,
        change=claim_flags.dismiss,
        refused=_("That flag is no longer raised on this claim, or it is already dismissed."),
        done=_("Flag %(rule)s dismissed. The claim's history records why.", rule=rule_id),
    )


@bp.post("/<int:claim_id>/flags/<rule_id>/restore")
@moderator_required
def restore(claim_id: int, rule_id: str):
    return _change_flag(
        claim_id,
        rule_id,
        action="restore",
        form_class=RestoreForm,
        change=claim_flags.restore,
        refused=_("That flag is not dismissed on this claim."),
        done=_("Flag %(rule)s restored. The claim's history records why.", rule=rule_id),
    )


def _change_flag(claim_id: int, rule_id: str, *, action, form_class, change, refused, done):
    """Dismiss or restore one flag with the moderator's reason, then back to the review."""
    claim = _claim_or_404(claim_id)
    form = form_class(prefix=f"{action}-{rule_id}")
    if not form.validate():
        return _render(claim, failed={f"{action}-{rule_id}": form}, status=400)
    session = get_session()
    try:
        change(
            session=session,
            claim=claim,
            rule_id=rule_id,
            reason=form.reason.data,
            author=Author.of(current_user),
        )
    except FlagError:
        session.rollback()
        flash(refused, "error")
        return redirect(_review_url(claim))
    session.commit()
    flash(done, "success")
    return redirect(_review_url(claim))


@bp.post("/<int:claim_id>/facts")
@moderator_required
def facts(claim_id: int):
    claim = _claim_or_404(claim_id)
    form = FactsForm(prefix="facts")
    if not form.validate():
        return _render(claim, failed={"facts": form}, status=400)
    session = get_session()
    version = int(form.version.data) if (form.version.data or "").isdigit() else None
    try:
        revision = claim_flags.record_facts(
            session=session,
            claim=claim,
            facts=form.facts(),
            reason=form.reason.data,
            author=Author.of(current_user),
            expected_version=version,
        )
    except RevisionConflict:
        session.rollback()
        flash(
            _(
                "Someone changed this claim while you were editing. What you typed is kept "
                "below; check the claim's current facts and save again."
            ),
            "error",
        )
        current = _claim_or_404(claim_id)
        form.version.data = str(current.version)
        return _render(current, failed={"facts": form}, status=409)
    session.commit()
    if revision is None:
        flash(_("Nothing changed: the claim already had these facts."))
    else:
        flash(
            _("Facts recorded as version %(version)d of the claim.", version=revision.version),
            "success",
        )
    return redirect(_review_url(claim))
