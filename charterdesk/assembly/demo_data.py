"""The demo's people, clients, requests and files: data only (``demo.py`` loads it through the
services)."""

from __future__ import annotations

from charterdesk.cases.services import AttachmentData

STAFF = [
    # username, first, surname, position lv, position en, team, programmes, office, languages
    (
        "anna",
        "Anna",
        "Bērziņa",
        "Klientu konsultante",
        "Client consultant",
        "front",
        ["housing-guarantee", "energy-efficiency"],
        "riga",
        "lv,en",
    ),
    (
        "janis",
        "Jānis",
        "Kalniņš",
        "Klientu konsultants",
        "Client consultant",
        "front",
        ["start-up", "microloans"],
        "riga",
        "lv,en,ru",
    ),
    (
        "ilze",
        "Ilze",
        "Ozola",
        "Reģionālā konsultante",
        "Regional consultant",
        "regions",
        ["farmers", "microloans"],
        "cesis",
        "lv",
    ),
    (
        "peteris",
        "Pēteris",
        "Liepiņš",
        "Programmas vadītājs",
        "Programme manager",
        "programmes",
        ["export-guarantee", "venture"],
        "riga",
        "lv,en",
    ),
    (
        "laura",
        "Laura",
        "Zariņa",
        "Klientu apkalpošanas vadītāja",
        "Head of client service",
        "front",
        [
            "housing-guarantee",
            "start-up",
            "microloans",
            "farmers",
            "export-guarantee",
            "energy-efficiency",
            "venture",
        ],
        "riga",
        "lv,en",
    ),
]

CLIENTS = [
    ("Jānis Ozols", "person", "janis.ozols@example.lv", "+37129123456", "lv", ""),
    (
        "Līga Kļaviņa",
        "person",
        "liga.klavina@example.lv",
        "",
        "lv",
        "Kustību traucējumi: vajadzīga pieeja bez kāpnēm.",
    ),
    ("SIA Dārzi un Ko", "company", "info@darzi.example.lv", "+37167001122", "lv", ""),
    ("Māris Strautiņš", "person", "", "+37126543210", "lv", ""),
    ("Emily Carter", "person", "emily.carter@example.com", "", "en", ""),
    ("Baltic Timber Ltd", "company", "office@baltictimber.example.com", "+37167223344", "en", ""),
    ('Zemnieku saimniecība "Ābeles"', "company", "abeles@example.lv", "+37128877665", "lv", ""),
    (
        "Olga Petrova",
        "person",
        "olga.petrova@example.lv",
        "+37122334455",
        "lv",
        "Vājredzība: lūdz lielu drukas burtu.",
    ),
    ("SIA Tehno Start", "company", "hello@tehnostart.example.lv", "", "lv", ""),
    ("Kārlis Eglītis", "person", "karlis.eglitis@example.lv", "", "lv", ""),
    ("Nordic Export AS", "company", "trade@nordicexport.example.com", "+4722334455", "en", ""),
    (
        'Dzīvokļu īpašnieku biedrība "Saules 12"',
        "company",
        "saules12@example.lv",
        "+37167445566",
        "lv",
        "",
    ),
    ("Inese Vītola", "person", "inese.vitola@example.lv", "+37129988776", "lv", ""),
    ("Tomas Novak", "person", "tomas.novak@example.com", "", "en", ""),
    ("SIA Ražotne", "company", "razotne@example.lv", "+37167990011", "lv", ""),
    (
        "Aija Kalna",
        "person",
        "aija.kalna@example.lv",
        "",
        "lv",
        "Nedzirdīga: saziņa tikai rakstiski.",
    ),
]

REQUESTS_LV = [
    (
        "Mājokļa garantija ģimenei ar diviem bērniem",
        "housing-guarantee",
        "Labdien! Mums ir divi bērni, un vēlamies pirkt dzīvokli Rīgā. Vai varam saņemt ALTUM garantiju pirmajai iemaksai? Kādi dokumenti vajadzīgi?",
    ),
    (
        "Starta aizdevums jaunam uzņēmumam",
        "start-up",
        "Sveiki! Esam reģistrējuši SIA pirms četriem mēnešiem. Vai varam pieteikties starta programmai, un kāda ir maksimālā summa?",
    ),
    (
        "Mikrokredīta pieteikums",
        "microloans",
        "Labdien, vēlos uzzināt, vai mikrokredītu var izmantot aprīkojuma iegādei un cik ilgi tiek izskatīts pieteikums.",
    ),
    (
        "Aizdevums zemes iegādei",
        "farmers",
        "Mūsu saimniecība vēlas iegādāties 20 ha lauksaimniecības zemes. Kādi ir aizdevuma nosacījumi un procentu likme?",
    ),
    (
        "Daudzdzīvokļu mājas renovācija",
        "energy-efficiency",
        "Biedrības vārdā jautājam, kā pieteikties mājas siltināšanas programmai un vai nepieciešams energoaudits.",
    ),
    (
        "Jautājums par nodokļu atvieglojumiem",
        None,
        "Vai ALTUM var paskaidrot, kā piemērot uzņēmumu ienākuma nodokļa atvieglojumu par investīcijām?",
    ),
    (
        "Pieteikuma statuss",
        "housing-guarantee",
        "Iesniedzu pieteikumu portālā pirms nedēļas. Kad varu sagaidīt lēmumu?",
    ),
    (
        "Garantijas līguma kopija",
        "housing-guarantee",
        "Lūdzu atsūtīt garantijas līguma kopiju, jo oriģināls ir nozaudēts.",
    ),
]
REQUESTS_EN = [
    (
        "Export credit guarantee for a shipment to Norway",
        "export-guarantee",
        "Hello, we are exporting timber to Norway and would like to insure the buyer's credit risk. How do we apply?",
    ),
    (
        "Venture capital for a software start-up",
        "venture",
        "Dear ALTUM, which venture capital funds supported by ALTUM invest in seed-stage software companies?",
    ),
    (
        "Question about an EU grant",
        None,
        "Hi, can ALTUM give us an EU grant for research? We could not find it on your website.",
    ),
    (
        "Loan application follow-up",
        "start-up",
        "Good afternoon, I sent my documents last Friday and have not heard back. Could you confirm you received them?",
    ),
]


#: How many demo cases: more than one inbox page (the desk shows 50 at a time).
CASE_COUNT = 120

# The smallest valid files: a one-page PDF and a 1×1 PNG (what a client attaches).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a5d3b0f20000000049454e44ae426082"
)
ATTACHMENTS = [
    AttachmentData(filename="pieteikums.pdf", content_type="application/pdf", content=PDF),
    AttachmentData(filename="ligums-skenets.png", content_type="image/png", content=PNG),
    AttachmentData(filename="application.pdf", content_type="application/pdf", content=PDF),
]

REPLY_TEMPLATES = {
    "lv": (
        "{{ client_vocative }}!\n\nPaldies par jautājumu par programmu „{{ programme_name }}”. "
        "Programmas nosacījumi un pieteikuma veidlapa ir pieejami altum.lv; pieteikumu var "
        "iesniegt portālā mans.altum.lv.\n\n"
    ),
    "en": (
        "Dear {{ client_name }},\n\nThank you for your question about the programme "
        "“{{ programme_name }}”. Its conditions and the application form are on altum.lv; you can "
        "apply in the client portal mans.altum.lv.\n\n"
    ),
}

QUARANTINED = (
    "From: Nezināms sūtītājs <rekini@invoice.example.net>\r\n"
    "To: altum@altum.lv\r\n"
    "Subject: =?utf-8?q?R=C4=93=C4=B7ins_apmaksai?=\r\n"
    "Message-ID: <demo-quarantine-1@invoice.example.net>\r\n"
    "Date: Mon, 30 Nov 2026 09:12:00 +0200\r\n"
    "MIME-Version: 1.0\r\n"
    'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
    "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    "Labdien, pielikumā rēķins apmaksai.\r\n"
    "--b1\r\nContent-Type: application/octet-stream\r\n"
    'Content-Disposition: attachment; filename="rekins.exe"\r\n'
    "Content-Transfer-Encoding: base64\r\n\r\nTVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAA=\r\n"
    "--b1--\r\n"
).encode()
