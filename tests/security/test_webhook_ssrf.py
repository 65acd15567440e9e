"""Webhooks cannot be aimed at the portal's own network (issue 14, item 1).

A bank admin chooses the URL, so the portal must never connect to this machine, a private
network, the cloud's metadata address or anything else that is not public: the name is resolved
when the webhook is registered and again at every send (a name may point elsewhere by then),
the connection goes to the address that was checked (with the name's Host header, SNI and
certificate), no redirect is followed, and the bank admin sees what kind of failure it was,
never the raw error (which would make the attempt list a port scanner).

The name is resolved by a fake `socket.getaddrinfo`: "hooks.bank.example" answers whatever
the test says; addresses given as literals resolve as usual.
"""

import datetime
import http.server
import json
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.urls import reverse

from notifications import services
from notifications.models import Delivery, WebhookAttempt, WebhookEndpoint, webhook_secret_new
from notifications.transports import TransportError, Webhook
from tests.support.servers import WebhookReceiver, free_port

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
HOST = "hooks.bank.example"
PUBLIC = "93.184.216.34"
NOT_PUBLIC = ["127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
              "100.64.0.1", "0.0.0.1", "224.0.0.1", "::1", "::ffff:127.0.0.1",
              "::ffff:169.254.169.254", "fe80::1", "fd00::1", "::"]


class FakeDns:
    """Answers for HOST: a list, one per lookup, the last repeated; `lookups` counts them."""

    def __init__(self, monkeypatch):
        self.answers = [PUBLIC]
        self.lookups = 0
        real = socket.getaddrinfo

        def getaddrinfo(host, port, *args, **kwargs):
            if host not in (HOST, HOST.encode()):
                return real(host, port, *args, **kwargs)
            answer = self.answers[min(self.lookups, len(self.answers) - 1)]
            self.lookups += 1
            if answer is None:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            family = socket.AF_INET6 if ":" in answer else socket.AF_INET
            sockaddr = (answer, port or 0, 0, 0) if family == socket.AF_INET6 else (
                answer, port or 0)
            return [(family, socket.SOCK_STREAM, 6, "", sockaddr)]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def answer(self, *answers):
        self.answers = list(answers)
        self.lookups = 0


@pytest.fixture
def dns(monkeypatch):
    return FakeDns(monkeypatch)


@pytest.fixture
def production(settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    return settings


def register(client, url):
    return client.post(reverse("notifications:webhooks"), {"url": url})


# --- registration ----------------------------------------------------------------------------

@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_a_name_that_resolves_to_a_non_public_address_is_refused_at_registration(
        client_for, bank_admin, production, dns, address):
    dns.answer(address)
    response = register(client_for(bank_admin), f"https://{HOST}/saldo")
    assert response.status_code == 200
    assert "Webhooken må ligge på en offentlig adresse." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    assert dns.lookups >= 1


@pytest.mark.parametrize("address", ["10.0.0.1", "169.254.169.254", "100.64.0.1"])
def test_the_loopback_setting_of_tests_and_the_embedded_default_allows_no_other_network(
        client_for, bank_admin, settings, dns, address):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    dns.answer(address)
    for url in (f"https://{HOST}/saldo", f"https://{address}/saldo"):
        response = register(client_for(bank_admin), url)
        assert "Webhooken må ligge på en offentlig adresse." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_name_with_a_public_and_a_private_address_is_refused(client_for, bank_admin,
                                                               production, monkeypatch):
    real = socket.getaddrinfo

    def two_answers(host, port, *args, **kwargs):
        if host == HOST:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port)),
                    (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", two_answers)
    response = register(client_for(bank_admin), f"https://{HOST}/saldo")
    assert "Webhooken må ligge på en offentlig adresse." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_a_name_that_resolves_to_a_public_address_is_registered(client_for, bank_admin,
                                                                production, dns):
    register(client_for(bank_admin), f"https://{HOST}/saldo")
    assert WebhookEndpoint.objects.get().url == f"https://{HOST}/saldo"


# --- sending: checked again, connected to the address checked --------------------------------

class ConnectionCounter:
    """A TCP listener on 127.0.0.1 that only counts the connections made to it."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def stop(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    counter = ConnectionCounter()
    yield counter
    counter.stop()


def announce(bank):
    """A fan-out of one announcement to `bank`: its webhooks are posted at once (eager)."""
    return services.fanout_start(
        subject=bank, event="notice.published", key=f"ssrf-test:{bank.pk}",
        organisation_ids=[bank.pk], title="DM-2026-0001: Test", url="/driftsmeldinger/",
        email_subject="Test", email_body="Test", webhook_payload=json.dumps({"event": "x"}))


def test_dns_rebinding_public_at_registration_private_at_send_sends_nothing(
        bank, bank_admin, production, dns, listener, django_capture_on_commit_callbacks):
    dns.answer(PUBLIC)
    endpoint, _secret = services.webhook_register(by=bank_admin,
                                                  url=f"https://{HOST}:{listener.port}/hook")
    dns.answer("127.0.0.1")  # the name now points at the portal's own machine

    with django_capture_on_commit_callbacks(execute=True):
        announce(bank)

    assert listener.connections == 0
    delivery = Delivery.objects.get(endpoint=endpoint)
    assert delivery.status == Delivery.Status.FAILED
    attempt = WebhookAttempt.objects.get(delivery=delivery)
    assert attempt.category == WebhookAttempt.Category.ADDRESS
    assert attempt.status_code is None


@pytest.mark.parametrize("address", ["10.0.0.1", "169.254.169.254"])
def test_the_transport_refuses_a_private_address_even_when_loopback_is_allowed(
        settings, dns, address):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    dns.answer(address)
    with pytest.raises(TransportError) as exc:
        Webhook(timeout=1).notify(url=f"https://{HOST}/hook", secret=webhook_secret_new(),
                                  webhook_id="msg_1", event="x", body=b"{}")
    assert exc.value.category == "address"


def _certificate(common_name, ca=None):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (x509.CertificateBuilder().subject_name(subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=1)))
    if ca is None:
        builder = builder.issuer_name(subject).add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True)
        return key, builder.sign(key, hashes.SHA256())
    ca_key, ca_cert = ca
    builder = builder.issuer_name(ca_cert.subject).add_extension(
        x509.SubjectAlternativeName([x509.DNSName(common_name)]), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


class TlsReceiver:
    """An HTTPS server on 127.0.0.1 with a certificate for `name` from a test CA; it records
    the SNI name of each handshake and the Host header of each POST."""

    def __init__(self, tmp_path, name):
        ca = _certificate("Test CA")
        key, cert = _certificate(name, ca=ca)
        cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                               serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
        self.client_context = ssl.create_default_context(
            cadata=ca[1].public_bytes(serialization.Encoding.PEM).decode())
        self.sni, self.hosts = [], []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.hosts.append(self.headers["Host"])
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        context.sni_callback = lambda sock, server_name, ctx: receiver.sni.append(server_name)
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # a refused handshake is the point
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tls_receiver(tmp_path):
    receiver = TlsReceiver(tmp_path, HOST)
    yield receiver
    receiver.stop()


def test_send_connects_to_the_checked_address_with_the_names_host_sni_and_certificate(
        settings, dns, tls_receiver):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True  # the receiver is on 127.0.0.1
    # The first lookup (the check) answers 127.0.0.1; any later one would fail. The post
    # arrives, so the connection went to the address that was checked, not to a new lookup.
    dns.answer("127.0.0.1", None)
    result = Webhook(timeout=3, verify=tls_receiver.client_context).notify(
        url=f"https://{HOST}:{tls_receiver.port}/hook", secret=webhook_secret_new(),
        webhook_id="msg_1", event="x", body=b"{}")
    assert result.status_code == 200
    assert dns.lookups == 1
    assert tls_receiver.sni == [HOST]
    assert tls_receiver.hosts == [f"{HOST}:{tls_receiver.port}"]


def test_a_certificate_for_another_name_is_a_tls_error(settings, dns, tmp_path):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    other = TlsReceiver(tmp_path, "other.example")
    try:
        dns.answer("127.0.0.1")
        with pytest.raises(TransportError) as exc:
            Webhook(timeout=3, verify=other.client_context).notify(
                url=f"https://{HOST}:{other.port}/hook", secret=webhook_secret_new(),
                webhook_id="msg_1", event="x", body=b"{}")
        assert exc.value.category == "tls"
        assert other.hosts == []
    finally:
        other.stop()


def test_a_redirect_is_not_followed(settings):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    receiver = WebhookReceiver()
    receiver.start()
    try:
        receiver.responses["/moved"] = ("redirect", "http://169.254.169.254/latest/meta-data/")
        receiver.responses["/moved-here"] = ("redirect", receiver.url + "/elsewhere")
        for path in ("/moved", "/moved-here"):
            with pytest.raises(TransportError) as exc:
                Webhook(timeout=2).notify(url=receiver.url + path, secret=webhook_secret_new(),
                                          webhook_id="msg_1", event="x", body=b"{}")
            assert exc.value.status_code == 302 and exc.value.category == "redirect"
        assert receiver.received("/elsewhere") == []
    finally:
        receiver.stop()


# --- what the bank admin sees ----------------------------------------------------------------

def test_the_attempt_list_shows_categories_not_raw_errors(
        bank, bank_admin, client_for, settings, dns, tls_receiver,
        django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    receiver = WebhookReceiver()
    receiver.start()
    try:
        receiver.responses["/500"] = 500
        receiver.responses["/400"] = 400
        dns.answer("127.0.0.1")
        urls = {
            "connect": f"http://127.0.0.1:{free_port()}/nobody-listens",
            "tls": f"https://127.0.0.1:{tls_receiver.port}/untrusted-ca",
            "http_5xx": receiver.url + "/500",
            "http_4xx": receiver.url + "/400",
        }
        endpoints = {category: services.webhook_register(by=bank_admin, url=url)[0]
                     for category, url in urls.items()}
        rebound = services.webhook_register(by=bank_admin, url=f"https://{HOST}:9/x")[0]
        dns.answer("10.0.0.1")
        with django_capture_on_commit_callbacks(execute=True):
            announce(bank)
    finally:
        receiver.stop()

    assert WebhookAttempt.objects.get(delivery__endpoint=rebound).category == "address"
    client = client_for(bank_admin)
    labels = {"connect": "Kunne ikke koble til", "tls": "TLS-feil", "http_5xx": "HTTP 5xx",
              "http_4xx": "HTTP 4xx"}
    pages = {}
    for category, endpoint in [*endpoints.items(), ("address", rebound)]:
        attempt = WebhookAttempt.objects.get(delivery__endpoint=endpoint)
        assert attempt.category == category
        html = client.get(reverse("notifications:webhook_detail",
                                  args=[endpoint.pk])).content.decode()
        pages[category] = html
        assert labels.get(category, "Adressen er ikke tillatt") in html
    everything = "".join(pages.values())
    for raw in ("Errno", "refused", "ConnectError", "SSL", "CERTIFICATE", "10.0.0.1"):
        assert raw not in everything, raw
    # The raw text is kept for Lånekassen's and the operators' logs.
    assert WebhookAttempt.objects.get(delivery__endpoint=endpoints["tls"]).error


# --- production refuses the loopback setting -------------------------------------------------

def test_production_settings_refuse_to_start_with_the_loopback_setting_on():
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgres://u:p@127.0.0.1:1/none",
           "SECRET_KEY": "x" * 50, "DEBUG": "0", "NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK": "1",
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    run = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=BASE_DIR,
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert "NOTIFICATIONS_WEBHOOK_ALLOW_HTTP_LOOPBACK" in run.stderr
    env["DEBUG"] = "1"
    run = subprocess.run([sys.executable, "-c", "import django; django.setup()"], cwd=BASE_DIR,
                         env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
