"""Accounts: register, log in and out, reset a password by mail, cookies, the first admin."""

from __future__ import annotations

import re
import socketserver
import threading

import pytest
from argon2 import PasswordHasher
from sqlmodel import select

from tests.contributing.support import (
    PASSWORD,
    body,
    csrf_token,
    login_as,
    make_brand,
    make_user,
    outbox,
    post,
    text,
)
from tracker.models import AccountAction, AccountEvent, Role, User

NEW_PASSWORD = "a brand new passphrase"


def cookie_headers(response, name: str) -> list[str]:
    return [h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}=")]


def test_register_creates_an_argon2_account_and_logs_in(client, db):
    response = post(
        client,
        "/register",
        {
            "email": "  New.Person@Example.test ",
            "display_name": "Nieuw Persoon",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    user = db.exec(select(User)).one()
    assert user.email == "new.person@example.test"
    assert user.password_hash.startswith("$argon2id$")
    assert user.role == Role.contributor
    assert user.public_handle == "nieuw-persoon"
    page = text(client.get("/account"))
    assert "new.person@example.test" in page
    assert "Log out" in page


def test_register_errors_name_the_field_and_keep_what_was_typed(client, db):
    make_user(db, "taken")
    response = post(
        client,
        "/register",
        {
            "email": "taken@example.test",
            "display_name": "Zoë <b>Ünicode</b>",
            "password": "short",
            "confirm": "different",
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert "An account with this email address exists" in page
    assert "Use at least 10 characters" in page
    assert "The two passwords differ." in page
    assert 'value="taken@example.test"' in page
    assert 'value="Zoë &lt;b&gt;Ünicode&lt;/b&gt;"' in page
    assert 'href="#email"' in page  # the summary links to the field
    assert db.exec(select(User)).all()[0].public_handle == "taken"


def test_register_rejects_a_bad_email_address(client):
    response = post(
        client,
        "/register",
        {"email": "not an address", "display_name": "X", "password": PASSWORD, "confirm": PASSWORD},
    )
    assert response.status_code == 422
    assert "Enter an email address like name@example.org." in text(response)


def test_a_filled_honeypot_creates_nothing(client, db):
    response = post(
        client,
        "/register",
        {
            "email": "bot@example.test",
            "display_name": "Bot",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "homepage": "http://spam.example.test",
        },
    )
    assert response.status_code == 422
    assert "This form could not be accepted" in text(response)
    assert db.exec(select(User)).all() == []


def test_login_and_logout(client, db):
    make_user(db, "ana")
    assert (
        post(client, "/login", {"email": "ANA@example.test", "password": PASSWORD}).status_code
        == 302
    )
    assert "Ana Person" in text(client.get("/account"))
    assert client.get("/logout").status_code == 405  # a link cannot log anyone out
    assert post(client, "/logout").status_code == 302
    assert client.get("/account").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, db):
    make_user(db, "ana")
    wrong = post(client, "/login", {"email": "ana@example.test", "password": "nope nope nope"})
    unknown = post(client, "/login", {"email": "who@example.test", "password": "nope nope nope"})
    for response in (wrong, unknown):
        assert response.status_code == 422
        assert "Wrong email address or password." in text(response)
    assert 'value="who@example.test"' in text(unknown)


def test_a_deactivated_account_cannot_log_in_and_loses_its_session(client, db):
    user = make_user(db, "gone")
    login_as(client, user)
    assert client.get("/account").status_code == 200
    user.is_active = False
    db.add(user)
    db.commit()
    assert client.get("/account").status_code == 302
    response = post(client, "/login", {"email": "gone@example.test", "password": PASSWORD})
    assert response.status_code == 422


def test_login_rehashes_a_hash_made_with_weaker_parameters(client, db):
    user = make_user(db, "old")
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
    db.add(user)
    db.commit()
    post(client, "/login", {"email": "old@example.test", "password": PASSWORD})
    db.refresh(user)
    assert "m=1024" not in user.password_hash
    assert not PasswordHasher().check_needs_rehash(user.password_hash)
    assert user.last_login_at is not None


def test_next_only_redirects_within_the_site(client, db):
    make_user(db, "ana")
    response = post(
        client,
        "/login?next=https://evil.example.test/",
        {"email": "ana@example.test", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/account"
    post(client, "/logout")
    response = post(
        client, "/login?next=/brands/", {"email": "ana@example.test", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/brands/"


def test_a_post_without_the_csrf_token_is_refused(client, db):
    make_user(db, "ana")
    response = client.post("/login", data={"email": "ana@example.test", "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired" in text(response)
    assert client.post("/logout").status_code == 400


def test_password_reset_by_mailed_link(app, client, db):
    user = make_user(db, "ana")
    response = post(client, "/reset-password", {"email": "ana@example.test"})
    assert response.status_code == 302
    [message] = outbox(app)
    assert message["To"] == "ana@example.test"
    link = re.search(r"http://localhost(/reset-password/\S+)", body(message)).group(1)

    assert client.get(link).status_code == 200
    bad = post(client, link, {"password": "short", "confirm": "short"})
    assert bad.status_code == 422
    assert (
        post(client, link, {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    )

    assert client.get(link).status_code == 400  # used once, then dead
    assert "no longer works" in text(client.get(link))
    old = post(client, "/login", {"email": "ana@example.test", "password": PASSWORD})
    assert old.status_code == 422
    new = post(client, "/login", {"email": "ana@example.test", "password": NEW_PASSWORD})
    assert new.status_code == 302
    events = db.exec(select(AccountEvent).where(AccountEvent.user_id == user.id)).all()
    assert [event.action for event in events] == [AccountAction.password_reset]


def test_reset_for_an_unknown_address_sends_nothing_but_says_the_same(app, client):
    response = post(
        client, "/reset-password", {"email": "nobody@example.test"}, follow_redirects=True
    )
    assert "If an account uses that address" in text(response)
    assert outbox(app) == []


def test_an_expired_reset_link_is_refused(app, client, db):
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    make_user(db, "ana")
    post(client, "/reset-password", {"email": "ana@example.test"})
    link = re.search(r"http://localhost(/reset-password/\S+)", body(outbox(app)[0])).group(1)
    assert client.get(link).status_code == 400
    assert client.get("/reset-password/garbage").status_code == 400


def test_changing_the_password_logs_out_other_devices(app, db):
    user = make_user(db, "ana")
    here, elsewhere = app.test_client(), app.test_client()
    login_as(here, user)
    login_as(elsewhere, user)
    response = post(
        here,
        "/account/password",
        {"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302


def test_wrong_current_password_is_named(client, db):
    login_as(client, make_user(db, "ana"))
    response = post(
        client,
        "/account/password",
        {"current": "not it at all", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 422
    assert "This is not your current password." in text(response)


def test_profile_handle_must_be_free_and_well_formed(client, db):
    make_user(db, "taken")
    login_as(client, make_user(db, "ana"))
    response = post(client, "/account/profile", {"display_name": "Ana", "public_handle": "taken"})
    assert response.status_code == 422
    assert "Someone else uses this handle" in text(response)
    response = post(client, "/account/profile", {"display_name": "Ana", "public_handle": "No Way!"})
    assert response.status_code == 422
    assert 'value="No Way!"' in text(response)
    response = post(client, "/account/profile", {"display_name": "Ana B", "public_handle": "ana-b"})
    assert response.status_code == 302


# --- Cookies -----------------------------------------------------------------------------


def _login(client):
    return post(
        client,
        "/login",
        {"email": "ana@example.test", "password": PASSWORD, "remember": "y"},
    )


def test_cookies_are_httponly_lax_and_not_secure_over_http(client, db):
    make_user(db, "ana")
    response = _login(client)
    for name in ("session", "remember_token"):
        [header] = cookie_headers(response, name)
        assert "HttpOnly" in header
        assert "SameSite=Lax" in header
        assert "Secure" not in header


def test_cookies_are_secure_over_https(client, db):
    make_user(db, "ana")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={
            "email": "ana@example.test",
            "password": PASSWORD,
            "remember": "y",
            "csrf_token": token,
        },
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},  # Flask-WTF checks it over HTTPS
    )
    assert response.status_code == 302
    for name in ("session", "remember_token"):
        [header] = cookie_headers(response, name)
        assert "; Secure" in header
        assert "HttpOnly" in header
    language = client.get("/?lang=nl", base_url="https://localhost")
    assert "; Secure" in cookie_headers(language, "lang")[0]


@pytest.mark.parametrize("trusted", [True, False])
def test_forwarded_https_counts_only_behind_a_trusted_proxy(tmp_path, db_kit, trusted):
    from tests.conftest import make_app

    config = {"PROXY_FIX": {"x_for": 1, "x_proto": 1}} if trusted else {}
    app = make_app(db_kit.fresh(), tmp_path / "instance", **config)
    response = app.test_client().get(
        "/?lang=nl", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert ("; Secure" in cookie_headers(response, "lang")[0]) is trusted
    app.extensions["tracker_db"].engine.dispose()


# --- Mail over SMTP ----------------------------------------------------------------------


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.wfile.write(b"250 test\r\n")
            elif command == "DATA":
                self.wfile.write(b"354 go ahead\r\n")
                data = b""
                while not data.endswith(b"\r\n.\r\n"):
                    data += self.rfile.readline()
                self.server.messages.append(data)
                self.wfile.write(b"250 queued\r\n")
            elif command == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_mail_goes_over_smtp_when_a_server_is_configured(app, client, db, smtp_server):
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.server_address[1],
        MAIL_USE_TLS=False,
        MAIL_DEFAULT_SENDER="tracker@example.test",
    )
    make_user(db, "ana")
    post(client, "/reset-password", {"email": "ana@example.test"})
    [raw] = smtp_server.messages
    assert b"To: ana@example.test" in raw
    assert b"/reset-password/" in raw
    assert outbox(app) == []


def test_a_mail_server_that_is_down_does_not_break_the_page(app, client, db):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False, MAIL_TIMEOUT=2)
    make_user(db, "ana")
    response = post(client, "/reset-password", {"email": "ana@example.test"})
    assert response.status_code == 302


# --- The create-user command ---------------------------------------------------------------


def test_create_user_makes_the_first_admin(app, db, monkeypatch):
    monkeypatch.setenv("TRACKER_PASSWORD", PASSWORD)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "Boss@Example.test", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.test" in result.output
    user = db.exec(select(User)).one()
    assert (user.email, user.role) == ("boss@example.test", Role.admin)
    again = runner.invoke(args=["create-user", "boss@example.test", "--role", "admin"])
    assert again.exit_code != 0
    assert "exists" in again.output


def test_create_user_asks_for_the_password(app, db, monkeypatch):
    monkeypatch.delenv("TRACKER_PASSWORD", raising=False)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "mod@example.test", "--role", "moderator", "--handle", "mod-ana"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    user = db.exec(select(User)).one()
    assert (user.role, user.public_handle) == (Role.moderator, "mod-ana")
    short = runner.invoke(args=["create-user", "x@example.test"], input="short\nshort\n")
    assert short.exit_code != 0


def test_create_user_for_a_verified_representative(app, db, monkeypatch):
    monkeypatch.setenv("TRACKER_PASSWORD", PASSWORD)
    make_brand(db, "Acme Cosmetics")
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "rep@example.test",
            "--role",
            "representative",
            "--brand",
            "acme-cosmetics",
            "--verified",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.exec(select(User)).one()
    assert user.is_verified_representative
    missing = app.test_cli_runner().invoke(
        args=["create-user", "r2@example.test", "--role", "representative", "--brand", "nope"]
    )
    assert missing.exit_code != 0


# --- Representatives and admins ----------------------------------------------------------


def test_a_representative_is_verified_by_an_admin(client, db):
    brand = make_brand(db)
    admin = make_user(db, "boss", Role.admin)
    rep = make_user(db, "rep")
    login_as(client, rep)
    response = post(
        client, "/account/representation", {"brand": str(brand.id), "note": "Head of PR\nacme.test"}
    )
    assert response.status_code == 302
    db.refresh(rep)
    assert (rep.role, rep.brand_id, rep.representative_verified) == (
        Role.representative,
        brand.id,
        False,
    )
    assert "awaiting verification" in text(client.get("/account"))

    login_as(client, admin)
    listing = text(client.get("/admin/users?pending=1"))
    assert "rep@example.test" in listing
    assert "boss@example.test" not in listing
    page = text(client.get(f"/admin/users/{rep.id}"))
    assert "Head of PR\nacme.test" in page
    response = post(
        client,
        f"/admin/users/{rep.id}",
        {"role": "representative", "brand": str(brand.id), "verified": "y", "active": "y"},
    )
    assert response.status_code == 302
    db.refresh(rep)
    assert rep.is_verified_representative
    actions = [
        e.action for e in db.exec(select(AccountEvent).where(AccountEvent.user_id == rep.id))
    ]
    assert AccountAction.representative_verified in actions
    assert "Verified as the brand" in text(client.get(f"/admin/users/{rep.id}"))


def test_a_representative_needs_a_brand(client, db):
    admin = make_user(db, "boss", Role.admin)
    user = make_user(db, "someone")
    login_as(client, admin)
    response = post(
        client, f"/admin/users/{user.id}", {"role": "representative", "brand": "", "active": "y"}
    )
    assert response.status_code == 422
    assert "Choose the brand this representative speaks for." in text(response)


def test_the_last_admin_cannot_step_down(client, db):
    admin = make_user(db, "boss", Role.admin)
    login_as(client, admin)
    response = post(
        client, f"/admin/users/{admin.id}", {"role": "contributor", "brand": "", "active": "y"}
    )
    assert response.status_code == 422
    assert "last active administrator" in text(response)
    db.refresh(admin)
    assert admin.role == Role.admin


def test_an_admin_makes_a_moderator(client, db):
    admin = make_user(db, "boss", Role.admin)
    user = make_user(db, "ana")
    login_as(client, admin)
    response = post(
        client, f"/admin/users/{user.id}", {"role": "moderator", "brand": "", "active": "y"}
    )
    assert response.status_code == 302
    db.refresh(user)
    assert user.role == Role.moderator
