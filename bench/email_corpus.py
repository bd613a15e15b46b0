"""Writes N mixed e-mail messages for the intake benchmarks, as a Maildir (default) or an mbox.

    .venv/bin/python bench/email_corpus.py --count 10000 --out /tmp/mail10k
    .venv/bin/python bench/email_corpus.py --count 10000 --out /tmp/mail10k.mbox --mbox

The mix (seeded, so every run writes the same bytes): 35 % plain Latvian text (UTF-8,
quoted-printable), 15 % plain Latvian in Windows-1257 without a charset, 15 % plain English,
20 % HTML with a text alternative, 15 % with one to three attachments (PDF, PNG, a text file);
one message in ten answers an earlier one (In-Reply-To).  About three messages per sender, sent
to one of four programme addresses.  ``--size`` scales the text and attachment sizes (the memory
figure uses a large count of small messages).  A ``manifest.json`` beside the output says how many
messages and attachments were written, so the benchmarks can check that every attachment was
kept.
"""

from __future__ import annotations

import argparse
import json
import mailbox
import random
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

PROGRAMME_ADDRESSES = [
    ("housing-guarantee", "majokli@altum.lv"),
    ("start-up", "starts@altum.lv"),
    ("microloans", "mikrokrediti@altum.lv"),
    ("export-guarantee", "eksports@altum.lv"),
]
LV_LINES = [
    "Labdien! Vēlos uzzināt, vai varu pieteikties mājokļa garantijai.",
    "Mūsu uzņēmums plāno paplašināt ražošanu Ventspilī un meklē finansējumu.",
    "Lūdzu, atsūtiet informāciju par nepieciešamajiem dokumentiem.",
    "Vai iesniegumu var parakstīt ar drošu elektronisko parakstu?",
    "Kādi ir procentu likmes nosacījumi mikrokredītam zemniekiem?",
    "Paldies par ātro atbildi, gaidīšu ziņas.",
]
EN_LINES = [
    "Hello, I would like to know whether my company can apply for an export credit guarantee.",
    "Could you please tell me which documents are required for the start-up programme?",
    "Thank you for your help; I look forward to your answer.",
]
FIRST = ["Jānis", "Līga", "Ēriks", "Ilze", "Kārlis", "Anna", "Gatis", "Zane", "Mārtiņš", "Inga"]
LAST = ["Bērziņš", "Kalniņa", "Ozols", "Liepiņa", "Krūmiņš", "Šmite", "Ķēniņš", "Žagare"]


def _pdf(rng: random.Random, size: int) -> bytes:
    return b"%PDF-1.4\n" + rng.randbytes(size) + b"\n%%EOF\n"


def _png(rng: random.Random, size: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + rng.randbytes(size)


def make_message(i: int, rng: random.Random, ids: list[str], scale: float) -> tuple[bytes, int]:
    """The i-th message and its attachment count."""
    sender = i // 3
    name = f"{FIRST[sender % len(FIRST)]} {LAST[sender % len(LAST)]}"
    _code, to = PROGRAMME_ADDRESSES[i % len(PROGRAMME_ADDRESSES)]
    kind = rng.random()
    repeat = max(1, int(3 * scale))
    msg = EmailMessage()
    msg["From"] = f"{name} <klients{sender}@example.lv>"
    msg["To"] = to
    msg["Date"] = format_datetime(datetime(2026, 11, 2, tzinfo=UTC) + timedelta(minutes=i))
    msg["Message-ID"] = f"<bench-{i}@example.lv>"
    if ids and rng.random() < 0.1:
        parent = rng.choice(ids[-200:])
        msg["In-Reply-To"] = parent
        msg["References"] = parent
        msg["Subject"] = "Re: Jautājums par programmu"
    else:
        msg["Subject"] = f"Jautājums par programmu Nr. {i} — mājokļi"
    ids.append(msg["Message-ID"])
    attachments = 0
    lv_text = "\n".join(rng.choice(LV_LINES) for _ in range(repeat)) + f"\n\nAr cieņu,\n{name}\n"
    if kind < 0.35:
        msg.set_content(lv_text, cte="quoted-printable")
    elif kind < 0.50:
        raw = msg.as_bytes()  # headers so far, then a Windows-1257 body without a charset
        return (
            raw.rstrip(b"\r\n").replace(b"\r\n", b"\n")
            + b"\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\n"
            + lv_text.encode("cp1257"),
            0,
        )
    elif kind < 0.65:
        msg.replace_header("Subject", f"Question about programme no. {i}")
        msg.set_content("\n".join(rng.choice(EN_LINES) for _ in range(repeat)) + f"\n\n{name}\n")
    elif kind < 0.85:
        msg.set_content(lv_text)
        paragraphs = "".join(f"<p>{line}</p>" for line in lv_text.split("\n") if line)
        msg.add_alternative(
            f"<html><body style='font-family:Arial'>{paragraphs}"
            "<p><img src='https://tracker.example/p.gif'></p></body></html>",
            subtype="html",
        )
    else:
        msg.set_content(lv_text)
        for n in range(rng.randint(1, 3)):
            choice = rng.random()
            size = int(rng.randint(5_000, 40_000) * scale)
            if choice < 0.5:
                msg.add_attachment(
                    _pdf(rng, size),
                    maintype="application",
                    subtype="pdf",
                    filename=f"izziņa-{i}-{n}.pdf",
                )
            elif choice < 0.8:
                msg.add_attachment(
                    _png(rng, size // 2),
                    maintype="image",
                    subtype="png",
                    filename=f"foto-{i}-{n}.png",
                )
            else:
                msg.add_attachment(
                    ("rinda;summa\n" * max(1, size // 200)).encode(),
                    maintype="text",
                    subtype="csv",
                    filename=f"tabula-{i}-{n}.csv",
                )
            attachments += 1
    return msg.as_bytes(), attachments


def write(
    count: int, out: Path, *, mbox: bool = False, scale: float = 1.0, seed: int = 1
) -> dict[str, int]:
    rng = random.Random(seed)
    ids: list[str] = []
    total_attachments = 0
    total_bytes = 0
    if mbox:
        box: mailbox.mbox | None = mailbox.mbox(str(out), create=True)
        box.lock()
    else:
        box = None
        for sub in ("cur", "new", "tmp"):
            (out / sub).mkdir(parents=True, exist_ok=True)
    for i in range(count):
        raw, attachments = make_message(i, rng, ids, scale)
        total_attachments += attachments
        total_bytes += len(raw)
        if box is not None:
            box.add(raw)
        else:
            stamp = 1793577600 + i * 60  # 2026-11-02, one minute apart
            (out / "cur" / f"{stamp}.M{i}P1.bench:2,S").write_bytes(raw)
    if box is not None:
        box.flush()
        box.unlock()
        box.close()
    manifest = {"messages": count, "attachments": total_attachments, "bytes": total_bytes}
    target = out.with_suffix(".manifest.json") if mbox else out / "manifest.json"
    target.write_text(json.dumps(manifest))
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mbox", action="store_true")
    parser.add_argument("--size", type=float, default=1.0, help="scale of text and attachments")
    args = parser.parse_args()
    manifest = write(args.count, args.out, mbox=args.mbox, scale=args.size)
    print(json.dumps(manifest))


if __name__ == "__main__":
    main()
