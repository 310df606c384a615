"""Bulk email of 1,000 invoices with PDFs already rendered (outbox, credits, MIME, smtplib, marks) against a bare
smtplib loop building and sending the same messages over one reused connection, to a local aiosmtpd server
(in a subprocess), over plain SMTP and STARTTLS (self-signed certificate made with the `openssl` CLI). Three
interleaved rounds of each; the best of each side is compared (the subprocess server's speed wanders on 2 cores)."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import tempfile
import textwrap
import time
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formatdate, make_msgid
from pathlib import Path

from backoffice import messaging
from backoffice.admin import orgs
from backoffice.core.context import Context, User
from backoffice.db import open_database
from backoffice.messaging import outbox
from benchmarks.common import report

MESSAGES = 1_000
ROUNDS = 3
WIRE = compat32.clone(linesep="\r\n")
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 160  # ~40 KB, like a one-page Arabic invoice

_SERVER = textwrap.dedent(
    """
    import ssl, sys, time
    from aiosmtpd.controller import Controller
    class Sink:
        async def handle_DATA(self, server, session, envelope):
            return "250 OK"
    port, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    context = None
    if cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
    Controller(Sink(), hostname="127.0.0.1", port=port, tls_context=context, require_starttls=False).start()
    print("ready", flush=True)
    time.sleep(3600)
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _certificate(folder: Path) -> tuple[Path, Path] | None:
    """A self-signed certificate by the `openssl` CLI (`cryptography` is not installed here); None without it."""
    import shutil

    cert, key = folder / "cert.pem", folder / "key.pem"
    if shutil.which("openssl") is None:
        return None
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _server(folder: Path, cert: Path | None, key: Path | None) -> tuple[subprocess.Popen[str], int]:
    port = _free_port()
    script = folder / "server.py"
    script.write_text(_SERVER)
    process = subprocess.Popen(
        [sys.executable, str(script), str(port), str(cert or ""), str(key or "")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process, port


def _raw(port: int, tls: bool, context: ssl.SSLContext) -> float:
    """A bare smtplib loop: build each message with the same stdlib classes as ours (same PDF, same headers) and
    send it on one connection: the ratio is what the outbox, credits, claims and marks add."""
    import smtplib

    start = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port)
    assert smtp.sock is not None
    smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if tls:
        smtp.starttls(context=context)
    for n in range(MESSAGES):
        text = MIMEText(f"Please find attached invoice INV-{n:06d}.\n", "plain", "us-ascii")
        pdf = MIMEApplication(PDF, "pdf")
        pdf.add_header("Content-Disposition", "attachment", filename=f"INV-{n:06d}.pdf")
        msg = MIMEMultipart(_subparts=[text, pdf])
        msg["From"] = "Bench <billing@bench.example>"
        msg["To"] = f"c{n}@example.com"
        msg["Subject"] = f"Invoice INV-{n:06d} from Bench"
        msg["Date"] = formatdate(usegmt=True)
        msg["Message-ID"] = make_msgid(domain="bench.example")
        smtp.sendmail("billing@bench.example", [f"c{n}@example.com"], msg.as_bytes(policy=WIRE))
    smtp.quit()
    return time.perf_counter() - start


def _ours(ctx: Context, tls: bool, context: ssl.SSLContext, round_no: int) -> float:
    """Queue 1,000 drafts (outbox rows, credits debited, MIME built) and deliver them (claim, send, mark)."""
    drafts = [
        messaging.Draft("document", [f"c{n}@example.com"], [], f"Invoice INV-{n:06d} from Bench",
                        f"Please find attached invoice INV-{n:06d}.", doc_kind="invoice", doc_number=f"INV-{n:06d}",
                        attachment=(f"INV-{n:06d}.pdf", PDF))
        for n in range(MESSAGES)
    ]  # fmt: skip
    start = time.perf_counter()
    _, result = outbox._send(ctx, drafts, f"bench-{tls}-{round_no}", ssl_context=context)
    elapsed = time.perf_counter() - start
    assert result["sent"] == MESSAGES, result
    return elapsed


def run() -> list[dict[str, object]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-messaging-"))
    made = _certificate(folder)
    cert, key = made if made else (None, None)
    context = ssl.create_default_context(cafile=str(cert)) if cert else ssl.create_default_context()
    context.check_hostname = False
    results = []
    for tls in (False, True) if made else (False,):
        process, port = _server(folder, cert if tls else None, key if tls else None)
        try:
            db = open_database(f"duckdb:///{folder / f'bench-{tls}.duckdb'}")
            org_id = orgs.setup(db, "Bench", "SAR", "15", actor=User.system())
            ctx = Context(db, User.system("bench"), org_id)
            messaging.set_smtp_settings(ctx, "127.0.0.1", port, "billing@bench.example", "Bench",
                                        tls="starttls" if tls else "none")  # fmt: skip
            messaging.add_credits(ctx, MESSAGES * ROUNDS)
            raws, ours_runs = [], []
            for round_no in range(ROUNDS):  # interleaved, best of each: the local server's speed wanders
                raws.append(_raw(port, tls, context))
                ours_runs.append(_ours(ctx, tls, context, round_no))
            raw, ours = min(raws), min(ours_runs)
            name = f"bulk email 1,000 invoices ({'STARTTLS' if tls else 'plain SMTP'})"
            results.append(report(name, ours, raw, goal=1.25))
            db.dispose()
        finally:
            process.terminate()
            process.wait()
    return results


if __name__ == "__main__":
    run()
