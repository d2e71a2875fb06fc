"""Team group robots (WeCom / DingTalk / Feishu through apprise): configured per unit by an administrator,
posted to only after the transaction commits, from the nearest unit up, and never breaking an approval.

The robots are a real HTTP server on 127.0.0.1: apprise's plugins post to each vendor's fixed host, so the tests
point the plugin classes' ``notify_url`` at the local server (what leaves the process is what gets replaced).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from apprise.plugins.dingtalk import NotifyDingTalk
from apprise.plugins.feishu import NotifyFeishu
from apprise.plugins.wecombot import NotifyWeComBot
from django.urls import reverse

from salesflow.audit.models import AuditEvent
from salesflow.core.errors import PermissionRefused, ValidationFailed
from salesflow.deals.discounts import services as deals
from salesflow.notifications.models import Notification
from salesflow.notifications.services import notify
from salesflow.notifications.tasks import send_team_robot_messages
from salesflow.org import services as org_services
from salesflow.org.models import OrgUnit

from ..conftest import fresh

BASE_URL = "https://sales.example.com"
ROBOTS = {  # vendor → (a robot URL as an administrator enters it, the path our fake vendor receives it on)
    "dingtalk": ("dingtalk://0123abcdef/", "/dingtalk"),
    "wecombot": ("wecombot://4f2c-key_1", "/wecom"),
    "feishu": ("feishu://9a8b-7c6d", "/feishu/9a8b-7c6d/"),
}


class RobotServer:
    """A local HTTP server standing in for the vendors: records every POST and answers ``status``."""

    def __init__(self):
        self.received: list[dict] = []
        self.status = 200
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                server.received.append({"path": urlsplit(self.path).path, "query": urlsplit(self.path).query,
                                        "text": json.dumps(json.loads(body), ensure_ascii=False)})
                payload = json.dumps({"errcode": 0, "errmsg": "ok", "code": 0}).encode()
                self.send_response(server.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def texts(self, path: str) -> list[str]:
        return [r["text"] for r in self.received if r["path"] == path]


def _point_vendors_at(monkeypatch, base: str) -> None:
    monkeypatch.setattr(NotifyDingTalk, "notify_url", base + "/dingtalk?access_token={token}")
    monkeypatch.setattr(NotifyWeComBot, "notify_url", base + "/wecom?key={key}")
    monkeypatch.setattr(NotifyFeishu, "notify_url", base + "/feishu/{token}/")
    for plugin in (NotifyDingTalk, NotifyWeComBot, NotifyFeishu):
        monkeypatch.setattr(plugin, "request_rate_per_sec", 0)  # apprise spaces requests 5.5 s apart per robot
    # A developer's proxy settings must not send 127.0.0.1 elsewhere.
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture
def robots(monkeypatch, settings):
    server = RobotServer()
    _point_vendors_at(monkeypatch, server.url)
    settings.SALESFLOW_BASE_URL = BASE_URL
    yield server
    server.stop()


def set_robot(org, unit, url):
    return org_services.org_unit_update(by=fresh(org.admin), unit=unit, robot_url=url)


def speaks_chinese(*users):
    for user in users:
        type(user).objects.filter(pk=user.pk).update(language="zh-hans")


# ── Sending: after commit, to each vendor, from the nearest unit up ────────────────────────────────────────


@pytest.mark.parametrize("vendor", sorted(ROBOTS))
def test_each_vendor_gets_the_message_only_after_commit(vendor, r13, discount, robots,
                                                        django_capture_on_commit_callbacks):
    robot_url, path = ROBOTS[vendor]
    set_robot(r13, r13.east_team, robot_url)
    speaks_chinese(r13.supervisor)
    doc = discount()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    notice = Notification.objects.get(user=r13.supervisor, kind="approval.new")
    assert notice.title.startswith("待您审批：")
    assert robots.received == []  # nothing leaves before the transaction commits
    assert callbacks
    for callback in callbacks:
        callback()
    [text] = robots.texts(path)
    assert notice.title in text and "通知对象：一组主管" in text  # in the recipient's language
    assert f"{BASE_URL}{notice.url}" in text
    assert len(robots.received) == 1


def test_a_rolled_back_decision_posts_nothing(r13, discount, robots, django_capture_on_commit_callbacks):
    set_robot(r13, r13.east_team, ROBOTS["dingtalk"][0])
    doc = discount()
    with django_capture_on_commit_callbacks(execute=True):
        deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    robots.received.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationFailed):
        from .helpers import decide

        decide(r13.supervisor, doc, approve=False, opinion="")  # a rejection needs an opinion: rolled back
    assert callbacks == [] and robots.received == []


def test_the_nearest_unit_with_a_robot_is_used(org, robots, django_capture_on_commit_callbacks,
                                               django_assert_num_queries):
    # east_team has none → its office's; east_team2 has its own; the north has none at all.
    set_robot(org, org.east, ROBOTS["feishu"][0])
    set_robot(org, org.east_office, ROBOTS["dingtalk"][0])
    set_robot(org, org.east_team2, ROBOTS["wecombot"][0])
    speaks_chinese(org.rep, org.rep_b, org.rep3, org.rep2, org.manager)
    with django_capture_on_commit_callbacks(execute=False):
        rows = notify([org.rep, org.rep_b, org.rep3, org.rep2, org.manager], kind="approval.approved",
                      title=lambda: "已批准：折扣申请", url="/deals/discounts/1/")
    ids = [n.pk for n in rows]

    with django_assert_num_queries(2):  # the notices with their users' units, then every candidate robot
        sent = send_team_robot_messages.call(ids)

    assert sent == 4
    dingtalk, wecom, feishu = (robots.texts(ROBOTS[v][1]) for v in ("dingtalk", "wecombot", "feishu"))
    assert len(dingtalk) == 2 and any("张销售" in t for t in dingtalk) and any("钱销售" in t for t in dingtalk)
    assert len(wecom) == 1 and "孙销售" in wecom[0]
    assert len(feishu) == 1 and "华东经理" in feishu[0]  # the manager sits on the region itself
    assert not any("周销售" in r["text"] for r in robots.received)  # the north has no robot
    assert all("已批准：折扣申请" in r["text"] and f"{BASE_URL}/deals/discounts/1/" in r["text"]
               for r in robots.received)


def test_an_inactive_units_robot_is_skipped(org, robots):
    set_robot(org, org.east_office, ROBOTS["dingtalk"][0])
    set_robot(org, org.east_team, ROBOTS["feishu"][0])
    org_services.org_unit_update(by=fresh(org.admin), unit=org.east_team, is_active=False)
    rows = notify([org.rep], kind="approval.approved", title=lambda: "已批准", url="")
    assert send_team_robot_messages.call([n.pk for n in rows]) == 1
    assert [r["path"] for r in robots.received] == ["/dingtalk"]


# ── A robot outage never breaks an approval ─────────────────────────────────────────────────────────────────


def test_a_robot_answering_500_does_not_break_the_approval(r13, discount, robots, caplog,
                                                           django_capture_on_commit_callbacks):
    robots.status = 500
    set_robot(r13, r13.east_team, ROBOTS["wecombot"][0])
    doc = discount()
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        deals.discount_submit(by=fresh(r13.rep), discount_id=doc.pk)
    assert Notification.objects.filter(user=r13.supervisor, kind="approval.new").exists()
    assert len(robots.received) == 1  # it was tried, refused, and the submission still stands
    assert "not delivered" in caplog.text
    assert "4f2c-key_1" not in caplog.text  # the robot's key stays out of our log lines


def test_a_failing_robot_is_not_pushed_further_in_the_same_batch(org, robots, caplog):
    robots.status = 500
    set_robot(org, org.east_team, ROBOTS["dingtalk"][0])
    set_robot(org, org.east_team2, ROBOTS["feishu"][0])
    rows = notify([org.rep, org.rep_b, org.rep3], kind="approval.approved", title=lambda: "已批准", url="")
    with caplog.at_level(logging.WARNING):
        assert send_team_robot_messages.call([n.pk for n in rows]) == 0
    # One try per robot: the second message for the failing DingTalk group is not sent; Feishu is still tried.
    assert sorted(r["path"] for r in robots.received) == ["/dingtalk", ROBOTS["feishu"][1]]
    assert "2 of 2 message(s) not delivered" in caplog.text


def test_a_robot_that_is_down_does_not_raise(org, monkeypatch, settings, caplog):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    _point_vendors_at(monkeypatch, dead)
    set_robot(org, org.east_team, ROBOTS["feishu"][0])
    rows = notify([org.rep], kind="approval.approved", title=lambda: "已批准", url="/x/")
    with caplog.at_level(logging.WARNING):
        assert send_team_robot_messages.call([n.pk for n in rows]) == 0
    assert "not delivered" in caplog.text


def test_a_stored_url_that_stopped_being_valid_is_logged_not_raised(org, robots, caplog):
    OrgUnit.objects.filter(pk=org.east_team.pk).update(robot_url="dingtalk://not a token/")
    rows = notify([org.rep], kind="approval.approved", title=lambda: "已批准", url="")
    with caplog.at_level(logging.WARNING):
        assert send_team_robot_messages.call([n.pk for n in rows]) == 0
    assert robots.received == [] and "not a valid robot URL" in caplog.text


# ── Configuring a robot: administrators only, validated, a secret ─────────────────────────────────────────


@pytest.mark.parametrize("bad", [
    "dingtalk://not a token/",  # not a DingTalk token
    "https://example.com/hook",  # not a robot at all
    "json://127.0.0.1:9/",  # a service apprise knows, but not a group robot: refused
    "dingtalk://abc/,json://127.0.0.1:9/",  # apprise would read two services
    "wecombot://",
])
def test_a_bad_robot_url_is_refused_and_nothing_is_saved(org, bad):
    with pytest.raises(ValidationFailed) as exc:
        org_services.org_unit_update(by=fresh(org.admin), unit=org.east_team, name="改名", robot_url=bad)
    assert exc.value.code == "org_unit_bad_robot" and "robot_url" in exc.value.fields
    org.east_team.refresh_from_db()
    assert org.east_team.robot_url == "" and org.east_team.name == "上海一组"
    with pytest.raises(ValidationFailed):
        org_services.org_unit_create(by=fresh(org.admin), name="上海三组", code="SH3", kind="team",
                                     parent=org.east_office, robot_url=bad)
    assert not OrgUnit.objects.filter(code="SH3").exists()


def test_the_refusal_is_translated(org, client_for):
    speaks_chinese(org.admin)
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as exc:
        org_services.org_unit_update(by=fresh(org.admin), unit=org.east_team, robot_url="nonsense")
    message = str(exc.value.fields["robot_url"][0])
    assert "机器人" in message and "dingtalk://" in message


def test_a_valid_robot_is_saved_and_audited_without_its_token(org):
    unit = org_services.org_unit_create(by=fresh(org.admin), name="上海三组", code="SH3", kind="team",
                                        parent=org.east_office, robot_url="  wecombot://4f2c-key_1  ")
    assert unit.robot_url == "wecombot://4f2c-key_1"
    set_robot(org, org.east_team, ROBOTS["dingtalk"][0])
    set_robot(org, org.east_team, "")  # cleared
    events = AuditEvent.objects.filter(action__startswith="org_unit.")
    assert events.count() == 3
    dumped = json.dumps([[e.before, e.after] for e in events], ensure_ascii=False)
    assert "4f2c-key_1" not in dumped and "0123abcdef" not in dumped
    assert "wecombot://****" in dumped and "dingtalk://****" in dumped


def test_a_non_admin_cannot_set_a_robot(org, client_for):
    for user in (org.manager, org.supervisor, org.rep):
        with pytest.raises(PermissionRefused):
            org_services.org_unit_update(by=fresh(user), unit=org.east_team, robot_url=ROBOTS["dingtalk"][0])
        resp = client_for(user).patch(f"/api/v1/org-units/{org.east_team.pk}",
                                      json.dumps({"robot_url": ROBOTS["dingtalk"][0]}), content_type="application/json")
        assert resp.status_code == 403
        resp = client_for(user).post(reverse("org:unit_edit", args=[org.east_team.pk]),
                                     {"name": "上海一组", "code": "SH1", "operated_by": "self",
                                      "robot_url": ROBOTS["dingtalk"][0]})
        assert resp.status_code in (403, 404)
    org.east_team.refresh_from_db()
    assert org.east_team.robot_url == ""


def test_the_token_is_shown_to_no_one_but_administrators(org, client_for):
    token = "0123abcdef"
    set_robot(org, org.east_team, ROBOTS["dingtalk"][0])
    resp = client_for(org.rep).get("/api/v1/org-units")
    assert resp.status_code == 200 and token not in resp.content.decode()
    row = next(u for u in resp.json() if u["id"] == org.east_team.pk)
    assert row["has_robot"] is True and "robot_url" not in row
    # The unit list (administrators) says only that a robot is set; the edit form (administrators) shows it.
    admin = client_for(org.admin)
    listing = admin.get(reverse("org:unit_list")).content.decode()
    assert token not in listing and "Configured" in listing
    assert token in admin.get(reverse("org:unit_edit", args=[org.east_team.pk])).content.decode()


def test_an_admin_sets_the_robot_on_the_unit_form(org, client_for):
    admin = client_for(org.admin)
    form = {"name": "上海一组", "code": "SH1", "kind": "team", "parent": org.east_office.pk,
            "operated_by": "self", "robot_url": "feishu://not/a/token?"}
    resp = admin.post(reverse("org:unit_edit", args=[org.east_team.pk]), form)
    assert resp.status_code == 200 and "Not a valid group robot address" in resp.content.decode()
    org.east_team.refresh_from_db()
    assert org.east_team.robot_url == ""
    resp = admin.post(reverse("org:unit_edit", args=[org.east_team.pk]), {**form, "robot_url": ROBOTS["feishu"][0]})
    assert resp.status_code == 302
    org.east_team.refresh_from_db()
    assert org.east_team.robot_url == ROBOTS["feishu"][0]


def test_many_notices_for_one_robot_go_as_one_digest(monkeypatch):
    from salesflow.notifications import robots

    sent = []

    class FakeSender:
        def __init__(self, asset=None):
            pass

        def add(self, plugin):
            return True

        def notify(self, body, title):
            sent.append((title, body))
            return True

    monkeypatch.setattr(robots.apprise, "Apprise", FakeSender)
    monkeypatch.setattr(robots, "_instantiate", lambda url: object())
    messages = [robots.RobotMessage(title=f"审批 {i}", body=f"第 {i} 条") for i in range(5)]
    assert robots.robot_send("dingtalk://token/", messages) == 5
    assert len(sent) == 1 and all(f"审批 {i}" in sent[0][1] for i in range(5))
    sent.clear()
    assert robots.robot_send("dingtalk://token/", messages[:2]) == 2
    assert len(sent) == 2
