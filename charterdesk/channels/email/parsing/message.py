"""The pure parser: raw bytes in, :class:`ParsedEmail` out (standard library ``email``,
``policy.default`` with headers read as text, see ``_RawHeaders``).  No Django, no database: it runs in worker processes and in tests alike.

Rules:

- Every MIME leaf that is not the body becomes an attachment: inline images, text attachments,
  calendar invitations (even as an alternative of the body), signatures, delivery reports, forwarded
  messages (as ``.eml``), TNEF containers (plus the files inside them).  A part that cannot be
  decoded is kept as its raw bytes.
- The body is the text/plain parts that are not attachments (joined in order); HTML parts are
  sanitised with ``nh3``; a message with only HTML gets its text from the HTML.
- Charset problems are repaired and each repair is recorded (``ParsedEmail.repairs``).
- Quoted history is separated from the new text (``ParsedEmail.quoted``).
- :class:`ParseError` is raised only for bytes that are not a message at all; everything else
  returns a result, with what was wrong in ``defects``.
"""

from __future__ import annotations

import mimetypes
import re
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy

from charterdesk.channels.email.parsing.charsets import DEFAULT_FALLBACKS, decode_text
from charterdesk.channels.email.parsing.contents import (
    Contents,
    is_archive,
    look_into,
    message_files,
)
from charterdesk.channels.email.parsing.head import (
    BOUNCE_SENDERS,
    FIELD_BYTES,
    HEAD_BYTES,
    MAX_FIELDS,
    auto_reason,
    trim_head,
)
from charterdesk.channels.email.parsing.headers import (
    TEXT_LIMIT,
    HeaderReader,
    capped,
    clean,
    decode_words,
)
from charterdesk.channels.email.parsing.html import html_to_text, sanitise
from charterdesk.channels.email.parsing.model import (
    Address,
    DeliveryReport,
    ParsedAttachment,
    ParsedEmail,
    ParseError,
)
from charterdesk.channels.email.parsing.quotes import split_quoted
from charterdesk.channels.email.parsing.tnef import read_tnef

_LINE_BREAK = re.compile(r"\r|\n")


class _RawHeaders(EmailPolicy):
    """``policy.default`` except that reading a header gives its unfolded source text instead of
    a structured header object.  The parser reads every header through :class:`HeaderReader`
    (which records its repairs), and ``Message.get_content_type``, ``get_param`` and the feed
    parser split the text themselves; building the header objects took most of the parse time
    (about 60 %, ``bench/email_parse.py``).  Encoded words in file names are decoded by
    ``_Walk.filename``."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        if hasattr(value, "name"):
            return value
        # What the walk reads this way (Content-Type, -Disposition, -ID …) is cut at
        # ``TEXT_LIMIT``: the stdlib's parameter parser is quadratic in the number of ";".
        if len(value) > TEXT_LIMIT:
            value = capped(value, TEXT_LIMIT)[0]
        if "\n" not in value and "\r" not in value:
            return value  # (read for every part many times: the common case first)
        return "".join(_LINE_BREAK.split(value))  # as EmailPolicy unfolds: CR and LF only


_PARSER = BytesParser(policy=_RawHeaders())
# Re-serialising an embedded message keeps its header lines as they were.
_KEEP = policy.default.clone(refold_source="none", cte_type="8bit", max_line_length=0)
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:", re.MULTILINE)
_LEADING_BLANK_LINES = re.compile(rb"(?:[ \t]*\r?\n)+")
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|delivery (status|fail|notification)|returned mail|failure notice|"
    r"nepieg[āa]d[āa]t|non remis|unzustellbar",
    re.IGNORECASE,
)
_EMBEDDED_ID = re.compile(r"^\s*Message-ID:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_LV_LETTERS = re.compile(r"[āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ]")
_EN_WORDS = re.compile(
    r"\b(the|and|you|please|would|could|regarding|thank|dear|hello|with|for)\b", re.IGNORECASE
)
_DEFAULT_NAMES = {
    "text/calendar": "invite.ics",
    "application/pgp-signature": "signature.asc",
    "application/pgp-encrypted": "pgp-version.txt",
    "application/pkcs7-signature": "smime.p7s",
    "application/x-pkcs7-signature": "smime.p7s",
    "application/pkcs7-mime": "smime.p7m",
    "application/x-pkcs7-mime": "smime.p7m",
    "message/delivery-status": "delivery-status.txt",
    "message/disposition-notification": "disposition-notification.txt",
    "text/rfc822-headers": "original-headers.txt",
    "application/ms-tnef": "winmail.dat",
}
MAX_DEPTH = 40


class _Walk:
    """State gathered while walking the MIME tree."""

    def __init__(self, fallbacks: tuple[str, ...]) -> None:
        self.fallbacks = fallbacks
        self.texts: list[str] = []
        self.htmls: list[str] = []
        self.attachments: list[ParsedAttachment] = []
        self.repairs: list[str] = []
        self.defects: list[str] = []
        self.security = ""
        self.report_fields: list[dict[str, str]] = []
        self.original_ids: list[str] = []
        self.leaf = 0
        # Attached messages (index of their attachment, the message), looked into at the end.
        self.forwarded: list[tuple[int, Message]] = []

    # --- helpers -------------------------------------------------------------------------------
    def defect(self, part: Message, where: str) -> None:
        for d in getattr(part, "defects", ()):
            text = f"{where}: {type(d).__name__}"
            if text not in self.defects:
                self.defects.append(text)

    def filename(self, part: Message, ctype: str) -> str:
        try:
            name = part.get_filename() or ""
        except Exception:  # a broken RFC 2231 parameter
            name = ""
            self.defects.append(f"part {self.leaf}: unreadable file name")
        name = capped(name, TEXT_LIMIT)[0]
        if "=?" in name:  # RFC 2047 inside a parameter: not allowed, but Outlook writes it
            name = decode_words(f"part {self.leaf} file name", name, self.repairs, self.fallbacks)
        if name:
            name, _note = _repair_name(name, self.fallbacks)
            if _note:
                self.repairs.append(f"part {self.leaf} file name: {_note}")
            name = name.replace("\\", "/").rsplit("/", 1)[-1].strip().strip(".") or ""
            name = clean(name)[:250]
        if name:
            return name
        if ctype in _DEFAULT_NAMES:
            return _DEFAULT_NAMES[ctype]
        ext = mimetypes.guess_extension(ctype) or ".bin"
        return f"part-{self.leaf}{ext}"

    def payload(self, part: Message) -> bytes:
        try:
            data = part.get_payload(decode=True)
        except Exception:
            data = None
        if isinstance(data, bytes):
            return data
        raw = part.get_payload()
        if isinstance(raw, str):
            return raw.encode("ascii", "surrogateescape")
        return b""

    def attach(self, part: Message, ctype: str, content: bytes, *, inline: bool = False) -> None:
        cid = str(part.get("Content-ID", "") or "").strip().strip("<>")
        self.attachments.append(
            ParsedAttachment(
                filename=self.filename(part, ctype),
                content_type=ctype,
                content=content,
                inline=inline,
                content_id=clean(cid)[:300],
            )
        )

    def text_of(self, part: Message, ctype: str, data: bytes) -> str:
        charset = part.get_param("charset")
        if isinstance(charset, tuple):  # RFC 2231 form
            charset = charset[2]
        text, note = decode_text(data, str(charset) if charset else None, self.fallbacks)
        if note and ctype.startswith("text/"):
            self.repairs.append(f"part {self.leaf} ({ctype}): {note}")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if "\x00" in text:
            self.repairs.append(f"part {self.leaf} ({ctype}): NUL characters removed")
        return clean(text)

    # --- the walk ------------------------------------------------------------------------------
    def visit(self, part: Message, depth: int = 0, *, in_related: bool = False) -> None:
        if depth > MAX_DEPTH:
            self.defects.append(f"nesting deeper than {MAX_DEPTH}: rest kept as an attachment")
            self.attach(part, "message/rfc822", _as_bytes(part))
            return
        ctype = part.get_content_type()
        if ctype == "message/rfc822" or (
            ctype.startswith("message/")
            and part.is_multipart()
            and ctype not in ("message/delivery-status",)
        ):
            self.leaf += 1
            self.defect(part, f"part {self.leaf}")
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                self.original_ids.extend(_ids_of(inner))
                self.attach(part, "message/rfc822", _as_bytes(inner))
                self.forwarded.append((len(self.attachments) - 1, inner))
            else:
                self.attach(part, "message/rfc822", self.payload(part))
            fixed = self.attachments[-1]
            if fixed.filename.startswith("part-") and isinstance(inner, Message):
                subject = str(inner.get("Subject", "") or "")
                subject = decode_words("Subject", subject, [], self.fallbacks)
                subject = clean(subject)[:80].strip()
                fixed.filename = (_safe_name(subject) or "message") + ".eml"
            return
        if ctype == "message/delivery-status":
            self.leaf += 1
            self.delivery_status(part)
            return
        if part.is_multipart():
            self.defect(part, ctype)
            children = [c for c in part.get_payload() if isinstance(c, Message)]
            self.multipart(part, ctype, children, depth)
            return
        self.leaf += 1
        self.defect(part, f"part {self.leaf}")
        self.single(part, ctype, in_related=in_related)

    def multipart(self, part: Message, ctype: str, children: list[Message], depth: int) -> None:
        if ctype == "multipart/signed":
            protocol = str(part.get_param("protocol") or "").lower()
            self.security = self.security or (
                "smime-signed" if "pkcs7" in protocol else "pgp-signed"
            )
        elif ctype == "multipart/encrypted":
            self.security = self.security or "pgp-encrypted"
            for child in children:
                self.leaf += 1
                self.attach(child, child.get_content_type(), self.payload(child))
            return
        if ctype == "multipart/alternative" and children:
            plain = next((c for c in children if _contains(c, "text/plain")), None)
            html = next((c for c in reversed(children) if _contains(c, "text/html")), None)
            for child in children:
                if child is plain or child is html:
                    self.visit(child, depth + 1)
                else:
                    # Calendar invitations, text/enriched, watch-html…: kept as attachments.
                    self.visit_as_attachment(child, depth + 1)
            return
        related = ctype == "multipart/related"
        for index, child in enumerate(children):
            self.visit(child, depth + 1, in_related=related and index > 0)

    def visit_as_attachment(self, part: Message, depth: int) -> None:
        if part.is_multipart() or part.get_content_type().startswith("message/"):
            self.visit(part, depth)
            return
        self.leaf += 1
        ctype = part.get_content_type()
        self.attach(part, ctype, self.payload(part))

    def single(self, part: Message, ctype: str, *, in_related: bool) -> None:
        disposition = part.get_content_disposition()
        data = self.payload(part)
        has_name = bool(
            part.get_param("filename", header="content-disposition") or part.get_param("name")
        )
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not has_name:
            text = self.text_of(part, ctype, data)
            if ctype == "text/plain":
                self.texts.append(text)
                if "-----BEGIN PGP MESSAGE-----" in text:
                    self.security = self.security or "pgp-encrypted"
                elif "-----BEGIN PGP SIGNED MESSAGE-----" in text:
                    self.security = self.security or "pgp-signed"
            else:
                self.htmls.append(text)
            return
        if ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime"):
            smime = str(part.get_param("smime-type") or "").lower()
            self.security = self.security or (
                "smime-signed" if smime == "signed-data" else "smime-encrypted"
            )
        if ctype == "text/rfc822-headers":
            self.original_ids.extend(_EMBEDDED_ID.findall(data.decode("ascii", "replace")))
        inline = disposition == "inline" or (disposition is None and in_related)
        self.attach(part, ctype, data, inline=inline)
        if ctype == "application/ms-tnef" or self.attachments[-1].filename.lower() == "winmail.dat":
            self.tnef(data)

    def tnef(self, data: bytes) -> None:
        try:
            files, body = read_tnef(data)
        except Exception as exc:
            self.defects.append(f"winmail.dat not readable ({exc}); kept as it is")
            return
        for item in files:
            name = _safe_name(item.filename) or f"tnef-{len(self.attachments)}.bin"
            ctype = item.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.attachments.append(
                ParsedAttachment(
                    filename=name, content_type=ctype, content=item.data, origin="tnef"
                )
            )
        if body.strip() and not any(t.strip() for t in self.texts):
            self.texts.append(clean(body.replace("\r\n", "\n")))

    def delivery_status(self, part: Message) -> None:
        blocks = part.get_payload()
        if isinstance(blocks, list):
            for block in blocks:
                if isinstance(block, Message):
                    self.report_fields.append(
                        {k.lower(): clean(str(v)) for k, v in block.raw_items()}
                    )
            data = b"\n".join(_as_bytes(b) for b in blocks if isinstance(b, Message))
        else:
            data = self.payload(part)
        self.attach(part, "message/delivery-status", data)


def _contains(part: Message, ctype: str) -> bool:
    if part.get_content_type() == ctype:
        return True
    if part.is_multipart() and not part.get_content_type().startswith("message/"):
        return any(_contains(c, ctype) for c in part.get_payload() if isinstance(c, Message))
    return False


def _as_bytes(msg: Message) -> bytes:
    try:
        return msg.as_bytes(policy=_KEEP)
    except Exception:
        try:
            return msg.as_string().encode("utf-8", "surrogateescape")
        except Exception:
            return b""


def _ids_of(msg: Message) -> list[str]:
    value = msg.get("Message-ID")
    return re.findall(r"<[^<>\s]+>", str(value)) if value else []


def _repair_name(name: str, fallbacks: tuple[str, ...]) -> tuple[str, str]:
    try:
        name.encode("utf-8")
        return name, ""
    except UnicodeEncodeError:
        text, note = decode_text(name.encode("ascii", "surrogateescape"), None, fallbacks)
        return text, "8-bit " + note.replace("no charset declared, ", "")


def _safe_name(name: str) -> str:
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" ._")
    return name[:200]


def guess_language(text: str) -> str:
    """``lv`` when the text has Latvian letters or nothing tells otherwise; ``en`` for English."""
    sample = text[:4000]
    if _LV_LETTERS.search(sample):
        return "lv"
    return "en" if len(_EN_WORDS.findall(sample)) >= 3 else "lv"


def _report(
    walk: _Walk, headers: HeaderReader, sender: Address | None, subject: str, text: str
) -> DeliveryReport | None:
    if walk.report_fields:
        original = ""
        recipients: list[str] = []
        action = status = diagnostic = ""
        for block in walk.report_fields:
            original = original or block.get("original-message-id", "")
            if "final-recipient" in block or "original-recipient" in block:
                rcpt = block.get("final-recipient") or block.get("original-recipient", "")
                recipients.append(rcpt.split(";", 1)[-1].strip())
                action = action or block.get("action", "").lower()
                status = status or block.get("status", "")
                diagnostic = diagnostic or block.get("diagnostic-code", "")
        ids = re.findall(r"<[^<>\s]+>", original) or walk.original_ids
        return DeliveryReport(ids[0] if ids else "", action, status, recipients, diagnostic)
    local = sender.address.split("@", 1)[0].lower() if sender else ""
    if local in BOUNCE_SENDERS and (
        _BOUNCE_SUBJECT.search(subject) or headers.has("X-Failed-Recipients")
    ):
        ids = walk.original_ids or _EMBEDDED_ID.findall(text)
        failed = [a.strip() for a in (headers.text("X-Failed-Recipients") or "").split(",") if a]
        return DeliveryReport(ids[0] if ids else "", "failed", "", failed, "")
    return None


def parse_message(
    raw: bytes,
    *,
    envelope_sender: str | None = None,
    fallbacks: tuple[str, ...] = DEFAULT_FALLBACKS,
) -> ParsedEmail:
    """Parse one message.  ``envelope_sender`` is the SMTP ``MAIL FROM`` when known (``""`` for a
    null sender, which marks a bounce or automatic message)."""
    if not raw or not raw.strip():
        raise ParseError("the message is empty")
    # Real exports sometimes put blank or whitespace-only lines before the headers; the standard
    # parser would end the headers at the first of them and read the whole mail as body.
    leading = _LEADING_BLANK_LINES.match(raw)
    if leading and _HEADER_LINE.match(raw[leading.end() : leading.end() + 4000]):
        raw = raw[leading.end() :]
    head = raw.lstrip(b"\r\n")[:4000]
    if head.startswith(b"From "):  # an mbox separator line ("From sender date")
        head = head.split(b"\n", 1)[-1]
    if not _HEADER_LINE.match(head):
        raise ParseError("the message does not start with a header line (not an e-mail message)")
    raw_read, trimmed = trim_head(raw)
    try:
        msg = _PARSER.parsebytes(raw_read)
    except RecursionError:
        raise ParseError("the MIME structure is nested too deeply to read") from None
    except Exception as exc:
        raise ParseError(f"the standard parser failed: {type(exc).__name__}: {exc}") from None
    if not list(msg.raw_items()):
        raise ParseError("the message has no header fields")
    try:
        parsed = _build(msg, raw, envelope_sender, fallbacks)
    except RecursionError:
        raise ParseError("the MIME structure is nested too deeply to read") from None
    if trimmed:
        parsed.defects.append(
            f"header: {trimmed} fields or more than {HEAD_BYTES} bytes; only the first "
            f"{MAX_FIELDS} and those read were kept, none longer than {FIELD_BYTES} bytes"
        )
    return parsed


def _build(
    msg: Message, raw: bytes, envelope_sender: str | None, fallbacks: tuple[str, ...]
) -> ParsedEmail:
    walk = _Walk(fallbacks)
    headers = HeaderReader(msg, walk.repairs, fallbacks)
    walk.defect(msg, "message")
    walk.visit(msg)
    inside = Contents()
    forwarded = dict(walk.forwarded)
    for index, attachment in enumerate(walk.attachments):
        if index in forwarded:
            message_files(forwarded[index], attachment.filename, inside)
        elif attachment.content_type == "message/rfc822" or is_archive(
            attachment.filename, attachment.content_type, attachment.content
        ):  # (an attached message the parser did not read: base64, or nested too deeply)
            look_into(attachment.filename, attachment.content_type, attachment.content, inside)
    text = "\n\n".join(t.strip("\n") for t in walk.texts if t.strip())
    html_source = "\n".join(walk.htmls)
    html = sanitise(html_source) if html_source.strip() else ""
    if not text.strip() and html_source.strip():
        text = html_to_text(html_source)
    fresh, quoted = split_quoted(text)
    senders = headers.addresses("From") or headers.addresses("Sender")
    sender = senders[0] if senders else None
    subject = headers.text("Subject")
    report = _report(walk, headers, sender, subject, text)
    return ParsedEmail(
        message_id=headers.message_id("Message-ID"),
        in_reply_to=(headers.message_ids("In-Reply-To") or [""])[0],
        references=headers.message_ids("References"),
        subject=subject,
        sender=sender,
        reply_to=headers.addresses("Reply-To"),
        to=headers.addresses("To"),
        cc=headers.addresses("Cc"),
        delivered_to=[
            a.address.lower() for a in headers.addresses("Delivered-To", "X-Original-To")
        ],
        date=headers.date(),
        text=fresh,
        quoted=quoted,
        html=html,
        attachments=walk.attachments,
        auto_submitted=auto_reason(headers, sender, envelope_sender, report),
        report=report,
        repairs=walk.repairs,
        defects=walk.defects,
        language=guess_language(f"{subject}\n{fresh}"),
        security=walk.security,
        size=len(raw),
        inner_files=inside.files,
        inner_problems=inside.problems,
        authentication=[
            capped(v, TEXT_LIMIT)[0] for v in headers.raw_all("Authentication-Results")[:20]
        ],
    )
