"""Writes the corpus of awkward real-world messages (``*.eml`` beside this file).

    .venv/bin/python tests/email/corpus/make_corpus.py

The files are committed; this script documents how each was made and rebuilds them.  Each one
imitates a real mailer's habit (wrong or missing charsets, raw 8-bit headers, Outlook's TNEF,
calendar invitations, PGP, bounces …).  ``test_corpus.py`` states what must become of each.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from charterdesk.channels.email.parsing.tnef import build_tnef  # noqa: E402

LV = "Labdien! Lūdzu, atsūtiet informāciju par aizdevumu mājokļa iegādei. Paldies, Jānis Ķēniņš"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def headers(n: int, subject: bytes = b"", extra: bytes = b"", sender: bytes = b"") -> bytes:
    return (
        (b"From: " + (sender or f"Klients {n} <client{n}@example.lv>".encode()) + b"\r\n")
        + b"To: ALTUM <altum@altum.lv>\r\n"
        + b"Subject: "
        + (subject or f"Corpus message {n}".encode())
        + b"\r\n"
        + f"Date: Tue, 24 Nov 2026 10:{n:02d}:00 +0200\r\n".encode()
        + f"Message-ID: <corpus-{n:02d}@example.lv>\r\n".encode()
        + extra
    )


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


MESSAGES: dict[str, bytes] = {}

# 01: declared iso-8859-1 but the bytes are UTF-8 (a very common lie).
MESSAGES["01-utf8-labelled-latin1.eml"] = headers(1) + (
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n" + LV.encode("utf-8") + b"\r\n"
)
# 02: no charset at all, Windows-1257 bytes (a Latvian Windows mail program).
MESSAGES["02-cp1257-undeclared.eml"] = headers(2) + (
    b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    + LV.encode("cp1257")
    + b"\r\n"
)
# 03: a charset name Python does not know.
MESSAGES["03-unknown-charset.eml"] = headers(3) + (
    b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=x-baltic-latvian\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n" + LV.encode("cp1257") + b"\r\n"
)
# 04: raw 8-bit UTF-8 in Subject and in the sender's name (no encoded words).
MESSAGES["04-8bit-headers.eml"] = (
    headers(
        4,
        subject="Pieteikums — mājokļa garantija".encode(),
        sender="Ēriks Bērziņš <eriks@example.lv>".encode(),
    )
    + b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    + (LV.encode() + b"\r\n")
)
# 05: encoded-word subjects in Latvian: UTF-8 B, ISO-8859-13 Q, split across words.
MESSAGES["05-encoded-words.eml"] = (
    headers(
        5,
        subject=b"=?UTF-8?B?SmF1dMSBanVtcyBwYXIg?= =?ISO-8859-13?Q?m=E2jok=EFu_?=\r\n"
        b" =?utf-8?q?garantiju_=E2=80=93_=C4=B6=C4=93ni=C5=86=C5=A1?=",
        sender=b"=?utf-8?q?J=C4=81nis_=C4=B6=C4=93ni=C5=86=C5=A1?= <janis.keninsh@example.lv>",
    )
    + b"Content-Type: text/plain; charset=us-ascii\r\n\r\nSk. temats.\r\n"
)
# 06: nested multiparts: mixed(alternative(plain, related(html, inline png)), pdf, mixed(txt)).
MESSAGES["06-nested-multipart.eml"] = headers(6) + (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="outer"\r\n\r\n'
    b'--outer\r\nContent-Type: multipart/alternative; boundary="alt"\r\n\r\n'
    b"--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    + LV.encode()
    + b"\r\n"
    b'--alt\r\nContent-Type: multipart/related; boundary="rel"\r\n\r\n'
    b"--rel\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    b"<html><body><p>" + LV.encode() + b'</p><img src="cid:logo@x"><script>alert(1)</script>'
    b"</body></html>\r\n"
    b"--rel\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(PNG) + b"--rel--\r\n--alt--\r\n"
    b'--outer\r\nContent-Type: application/pdf; name="izzi\xc5\x86a.pdf"\r\n'
    b"Content-Disposition: attachment; filename*=utf-8''izzi%C5%86a.pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    + b64(PDF)
    + b'--outer\r\nContent-Type: multipart/mixed; boundary="inner"\r\n\r\n'
    b"--inner\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; "
    b'filename="piezimes.txt"\r\n\r\n'
    + "Piezīmes pielikumā".encode()
    + b"\r\n--inner--\r\n--outer--\r\n"
)
# 07: Outlook's TNEF: winmail.dat holding two files.
MESSAGES["07-tnef-winmail.eml"] = headers(7) + (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nSee attached.\r\n"
    b'--b\r\nContent-Type: application/ms-tnef; name="winmail.dat"\r\n'
    b'Content-Disposition: attachment; filename="winmail.dat"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    + b64(build_tnef([("Bilance 2025.pdf", PDF), ("plans.txt", b"biznesa plans")]))
    + b"--b--\r\n"
)
# 08: a calendar invitation as an alternative of the body (often lost by helpdesks).
MESSAGES["08-calendar-invite.eml"] = headers(8, subject=b"Invitation: Konsultacija") + (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="c"\r\n\r\n'
    b"--c\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nUzaicinajums uz konsultaciju\r\n"
    b"--c\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Uzaicinajums</p>\r\n"
    b"--c\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST\r\n\r\n"
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1@example.lv\r\n"
    b"DTSTART:20261201T080000Z\r\nSUMMARY:Konsultacija\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    b"--c--\r\n"
)
# 09: no body at all, only an attachment.
MESSAGES["09-empty-body-attachment.eml"] = headers(9) + (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="e"\r\n\r\n'
    b'--e\r\nContent-Type: application/pdf; name="pieteikums.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(PDF) + b"--e--\r\n"
)
# 10: forwarded inline: the forwarded text is the content and must not be cut as "quoted".
MESSAGES["10-forwarded-inline.eml"] = headers(10, subject=b"Fwd: Jautajums") + (
    b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    b"Parsutu kolegas jautajumu.\r\n\r\n---------- Forwarded message ---------\r\n"
    b"From: Kolega <kolega@example.lv>\r\nDate: Mon, 23 Nov 2026\r\nSubject: Jautajums\r\n\r\n"
    + LV.encode()
    + b"\r\n"
)
# 11: forwarded as an attachment (message/rfc822).
MESSAGES["11-forwarded-attachment.eml"] = headers(11, subject=b"Fw: rekins") + (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="f"\r\n\r\n'
    b"--f\r\nContent-Type: text/plain\r\n\r\nSk. pielikuma.\r\n"
    b"--f\r\nContent-Type: message/rfc822\r\n\r\n"
    b"From: Banka <info@banka.example>\r\nSubject: Rekins Nr. 5\r\nMessage-ID: <inv5@banka>\r\n"
    b"Content-Type: text/plain\r\n\r\nJusu rekins.\r\n--f--\r\n"
)
# 12: PGP/MIME signed.
MESSAGES["12-pgp-signed.eml"] = headers(12) + (
    b"MIME-Version: 1.0\r\nContent-Type: multipart/signed; micalg=pgp-sha256;\r\n"
    b' protocol="application/pgp-signature"; boundary="s"\r\n\r\n'
    b"--s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nParakstita vestule.\r\n"
    b'--s\r\nContent-Type: application/pgp-signature; name="signature.asc"\r\n\r\n'
    b"-----BEGIN PGP SIGNATURE-----\r\n\r\niQEzBAEBCAAdFiEE\r\n-----END PGP SIGNATURE-----\r\n"
    b"--s--\r\n"
)
# 13: PGP/MIME encrypted: no readable body, both parts kept.
MESSAGES["13-pgp-encrypted.eml"] = headers(13) + (
    b"MIME-Version: 1.0\r\nContent-Type: multipart/encrypted;\r\n"
    b' protocol="application/pgp-encrypted"; boundary="p"\r\n\r\n'
    b"--p\r\nContent-Type: application/pgp-encrypted\r\n\r\nVersion: 1\r\n"
    b'--p\r\nContent-Type: application/octet-stream; name="encrypted.asc"\r\n\r\n'
    b"-----BEGIN PGP MESSAGE-----\r\n\r\nhQEMA5\r\n-----END PGP MESSAGE-----\r\n--p--\r\n"
)
# 14: one very long line (300,000 characters, no line breaks, no transfer encoding).
MESSAGES["14-very-long-line.eml"] = headers(14) + (
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + ("ā" * 150_000).encode() + b"\r\n"
)
# 15: HTML only, with a script, an event handler and a blockquoted history.
MESSAGES["15-html-only.eml"] = headers(15) + (
    b"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"<html><head><style>p{color:red}</style></head><body onload=3D'x()'>"
    b"<p>Vai ir zi=C5=86as?</p><script>steal()</script><a href=3D'javascript:x()'>x</a>"
    b"<blockquote>Iepriek=C5=A1=C4=93j=C4=81 v=C4=93stule</blockquote></body></html>\r\n"
)
# 16: a reply with Latvian Gmail attribution and > quoted history.
MESSAGES["16-reply-quoted.eml"] = headers(16, subject=b"Re: Aizdevums") + (
    b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    + "Paldies, viss skaidrs.\r\n\r\nOtrd., 2026. g. 24. nov., plkst. 10:15 — ALTUM "
    "<altum@altum.lv> rakstīja:\r\n> Labdien!\r\n> Jūsu pieteikums ir saņemts.\r\n".encode()
)
# 17: an out-of-office reply that answers nothing of ours.
MESSAGES["17-auto-reply.eml"] = headers(
    17, subject=b"Automatic reply: Prombutne", extra=b"Auto-Submitted: auto-replied\r\n"
) + (b"Content-Type: text/plain\r\n\r\nEsmu atvalinajuma lidz 1. decembrim.\r\n")
# 18: a bounce (DSN) for a message the desk never sent.
MESSAGES["18-bounce-unknown.eml"] = headers(
    18,
    subject=b"Undelivered Mail Returned to Sender",
    sender=b"Mail Delivery System <MAILER-DAEMON@mx.example.lv>",
) + (
    b"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n"
    b' boundary="r"\r\n\r\n--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n'
    b"--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.lv\r\n\r\n"
    b"Final-Recipient: rfc822; nobody@example.lv\r\nAction: failed\r\nStatus: 5.1.1\r\n"
    b"--r\r\nContent-Type: message/rfc822\r\n\r\nFrom: someone@example.lv\r\n"
    b"Message-ID: <not-ours@example.lv>\r\nSubject: x\r\n\r\nx\r\n--r--\r\n"
)
# 19: an executable attachment.
MESSAGES["19-forbidden-exe.eml"] = headers(19, subject=b"Rekins") + (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n'
    b"--x\r\nContent-Type: text/plain\r\n\r\nAtveriet rekinu.\r\n"
    b'--x\r\nContent-Type: application/octet-stream; name="rekins.pdf.exe"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(b"MZ\x90\x00") + b"--x--\r\n"
)
# 20: no From at all (and no Sender, no Reply-To).
MESSAGES["20-no-sender.eml"] = (
    b"To: altum@altum.lv\r\nSubject: Bez sutitaja\r\nMessage-ID: <corpus-20@example.lv>\r\n"
    b"Content-Type: text/plain\r\n\r\nKas es esmu?\r\n"
)
# 21: not an e-mail at all (a ZIP file saved with .eml).
MESSAGES["21-not-mail.eml"] = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 4
# 22: broken base64 in an attachment (padding and junk).
MESSAGES["22-broken-base64.eml"] = headers(22) + (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="y"\r\n\r\n'
    b"--y\r\nContent-Type: text/plain\r\n\r\nPielikums.\r\n"
    b'--y\r\nContent-Type: application/pdf; name="bojats.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK!!!broken***\r\nJVBERi0x=\r\n--y--\r\n"
)
# 23: a multipart whose closing boundary never comes, and a header without a space.
MESSAGES["23-unterminated-multipart.eml"] = headers(23, extra=b"X-Mailer:Broken/1.0\r\n") + (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="z"\r\n\r\n'
    b"--z\r\nContent-Type: text/plain\r\n\r\nTeksts bez beigam.\r\n"
    b'--z\r\nContent-Type: image/png; name="a.png"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
    + b64(PNG)
)
# 24: S/MIME signed (opaque): the body is inside the signature blob.
MESSAGES["24-smime-opaque.eml"] = headers(24) + (
    b"MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data;\r\n"
    b' name="smime.p7m"\r\nContent-Transfer-Encoding: base64\r\n\r\n' + b64(b"\x30\x82\x01\x00")
)
# 25: text attachments (.txt, .csv) and an inline image referenced by Content-ID.
MESSAGES["25-text-attachments-inline.eml"] = headers(25) + (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="t"\r\n\r\n'
    b"--t\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDati pielikumos.\r\n"
    b"--t\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: attachment; "
    b'filename="dati.txt"\r\n\r\nrinda 1\r\n'
    b"--t\r\nContent-Type: text/csv; charset=windows-1257\r\nContent-Disposition: attachment; "
    b'filename="saraksts.csv"\r\n\r\n'
    + "vārds;summa\r\nŠķēle;100\r\n".encode("cp1257")
    + b"--t\r\nContent-Type: image/png\r\nContent-Disposition: inline\r\nContent-ID: <sig@x>\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(PNG) + b"--t--\r\n"
)
# 26: attachment names as RFC 2231 (Latvian) and as an encoded word.
MESSAGES["26-attachment-names.eml"] = headers(26) + (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="n"\r\n\r\n'
    b"--n\r\nContent-Type: text/plain\r\n\r\nDivi faili.\r\n"
    b"--n\r\nContent-Type: application/pdf\r\n"
    b"Content-Disposition: attachment; filename*=utf-8''l%C4%ABgums%20Nr.%201.pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\n"
    + b64(PDF)
    + b'--n\r\nContent-Type: application/pdf; name="=?utf-8?B?xaBrxJNsZSBwaWV0ZWlrdW1zLnBkZg==?="'
    b"\r\nContent-Disposition: attachment;\r\n"
    b' filename="=?utf-8?B?xaBrxJNsZSBwaWV0ZWlrdW1zLnBkZg==?="\r\n'
    b"Content-Transfer-Encoding: base64\r\n\r\n" + b64(PDF) + b"--n--\r\n"
)
# 27: us-ascii declared, 8-bit cp1257 bytes sent anyway.
MESSAGES["27-ascii-with-8bit.eml"] = headers(27) + (
    b"Content-Type: text/plain; charset=us-ascii\r\n\r\n" + LV.encode("cp1257") + b"\r\n"
)
# 28: Outlook reply in Latvian: the history starts with a "No: / Nosūtīts:" header block.
MESSAGES["28-outlook-reply-lv.eml"] = headers(28, subject=b"RE: Garantija") + (
    b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
    + "Labdien, pielikumā prasītie dokumenti.\r\n\r\nNo: ALTUM <altum@altum.lv>\r\n"
    "Nosūtīts: otrdiena, 2026. gada 24. novembris 10:00\r\nKam: Jānis\r\nTēma: Garantija\r\n\r\n"
    "Lūdzu, atsūtiet dokumentus.\r\n".encode()
)
# 29: NUL bytes and control characters inside the text.
MESSAGES["29-nul-bytes.eml"] = headers(29) + (
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nTeksts\x00ar\x00nullem\x07un zvanu.\r\n"
)
# 30: a newsletter (Precedence: bulk, List-Id).
MESSAGES["30-newsletter.eml"] = (
    headers(
        30,
        subject=b"Jaunumi novembri",
        extra=b"Precedence: bulk\r\nList-Id: <jaunumi.example.lv>\r\n"
        b"List-Unsubscribe: <mailto:unsub@example.lv>\r\n",
    )
    + b"Content-Type: text/plain\r\n\r\nJaunakie piedavajumi.\r\n"
)
# 31: uuencoded attachment in a plain body (old mailers).
MESSAGES["31-uuencode.eml"] = headers(31) + (
    b'Content-Type: application/octet-stream; name="dati.bin"\r\n'
    b"Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin 644 dati.bin\r\n"
    b"%:&5L;&\\*\r\n`\r\nend\r\n"
)
# 32: bare LF line ends, folded headers, and a Subject spread over three lines.
MESSAGES["32-bare-lf.eml"] = (
    b"From: lf@example.lv\nTo: altum@altum.lv\nSubject: Gara\n tema\n  ar locijumiem\n"
    b"Message-ID: <corpus-32@example.lv>\nDate: Tue, 24 Nov 2026 10:32:00 +0200\n\nLF teksts.\n"
)
# 33: the same message as 01 delivered again by a second MX (extra Received line).
MESSAGES["33-redelivery-of-01.eml"] = (
    b"Received: from mx2.altum.lv by desk; Tue, 24 Nov 2026 10:05:00 +0200\r\n"
    + MESSAGES["01-utf8-labelled-latin1.eml"]
)
# 34: deeply nested multiparts (60 levels).
_deep = b"Content-Type: text/plain\r\n\r\nDzilums.\r\n"
for level in range(60):
    _deep = (
        f'Content-Type: multipart/mixed; boundary="d{level}"\r\n\r\n--d{level}\r\n'.encode()
        + _deep
        + f"\r\n--d{level}--\r\n".encode()
    )
MESSAGES["34-deeply-nested.eml"] = headers(34) + b"MIME-Version: 1.0\r\n" + _deep
# 35: a From address that is not an address, with a usable Reply-To.
MESSAGES["35-bad-from-good-reply-to.eml"] = (
    headers(35, sender=b"Klients bez adreses", extra=b"Reply-To: Inese <inese@example.lv>\r\n")
    + b"Content-Type: text/plain\r\n\r\nAtbildiet uz Reply-To.\r\n"
)


def main() -> None:
    for old in HERE.glob("*.eml"):
        old.unlink()
    for name, raw in MESSAGES.items():
        (HERE / name).write_bytes(raw)
    print(f"wrote {len(MESSAGES)} messages to {HERE}")


if __name__ == "__main__":
    main()
