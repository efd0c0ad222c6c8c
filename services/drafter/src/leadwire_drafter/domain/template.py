"""The deterministic template draft (no LLM, or the LLM kept failing), and the HTML
version of any draft. Same inputs, same text: profile + the lead's name and subject."""

from __future__ import annotations

import html
import re

from leadwire.events import ClientChanged

# (greeting with name, greeting without, thanks line, booking line, closing)
_TEXTS: dict[str, tuple[str, str, str, str, str]] = {
    "en": (
        "Hello {name},",
        "Hello,",
        'thank you for your message about "{subject}". We will get back to you shortly with the details.',
        "If you like, you can book a call with us here: {link}",
        "Best regards",
    ),
    "de": (
        "Hallo {name},",
        "Hallo,",
        'vielen Dank für Ihre Nachricht zum Thema "{subject}". Wir melden uns in Kürze mit den Details bei Ihnen.',
        "Wenn Sie möchten, können Sie hier direkt einen Termin mit uns buchen: {link}",
        "Viele Grüße",
    ),
    "fr": (
        "Bonjour {name},",
        "Bonjour,",
        "merci pour votre message concernant « {subject} ». Nous revenons vers vous très vite avec les détails.",
        "Si vous le souhaitez, vous pouvez réserver un appel avec nous ici : {link}",
        "Bien cordialement",
    ),
    "es": (
        "Hola {name}:",
        "Hola:",
        "gracias por su mensaje sobre «{subject}». Le responderemos en breve con los detalles.",
        "Si lo desea, puede reservar una llamada con nosotros aquí: {link}",
        "Saludos cordiales",
    ),
}
_URL = re.compile(r"(https?://[^\s<>\"]+)")


def template_draft(client: ClientChanged, *, name: str, subject: str, language: str) -> str:
    hello, hello_anon, thanks, booking, closing = _TEXTS.get(language, _TEXTS["en"])
    parts = [
        hello.format(name=name) if name else hello_anon,
        thanks.format(subject=subject or client.name),
    ]
    if client.booking_link:
        parts.append(booking.format(link=client.booking_link))
    parts.append(f"{closing}\n{client.signature or client.name}")
    return "\n\n".join(parts)


def to_html(text: str) -> str:
    """Paragraphs for blank-line separated blocks, <br> inside them, links clickable."""
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    rendered = []
    for block in blocks:
        escaped = html.escape(block.strip(), quote=True)
        linked = _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escaped)
        rendered.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return "\n".join(rendered)
