"""Phrase lists the guard and the qualification match against (lower-case, normalised).

Kept short and specific: each entry is typical of one kind of mail, so a clean lead
rarely hits one by accident. Several languages where leads arrive in them.
"""

from __future__ import annotations

SCAM_PHRASES = (
    "verify your account", "confirm your account", "your account has been suspended",
    "your account will be closed", "update your payment", "update your billing",
    "unusual sign-in activity", "click here to verify", "confirm your password",
    "wire transfer", "western union", "bitcoin wallet", "send bitcoin", "gift cards",
    "inheritance", "next of kin", "beneficiary of", "million dollars", "million usd",
    "lottery", "you have won", "you've won", "claim your prize", "congratulations you",
    "100% free", "risk-free", "act now", "limited time offer", "double your money",
    "crypto investment", "guaranteed returns", "nigerian prince", "dear beneficiary",
    "invoice attached", "overdue invoice", "payment is overdue", "kindly revert",
    "kindly send", "your mailbox is full", "password expires", "konto gesperrt",
    "bestätigen sie ihr konto", "votre compte a été suspendu", "vérifiez votre compte",
    "verifique su cuenta", "su cuenta ha sido suspendida",
)  # fmt: skip

INJECTION_PHRASES = (
    "ignore previous instructions", "ignore all previous instructions",
    "ignore the previous instructions", "ignore your instructions",
    "disregard previous instructions", "disregard all prior", "forget your instructions",
    "reveal your prompt", "reveal your system prompt", "print your system prompt",
    "show me your prompt", "system prompt", "you are now", "new instructions:",
    "developer mode", "jailbreak", "ignoriere alle vorherigen anweisungen",
    "ignore les instructions précédentes", "ignora las instrucciones anteriores",
    "</lead_message>", "<lead_message>", "include this link", "send this link",
)  # fmt: skip

SHORTENER_DOMAINS = frozenset(
    {
        "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "cutt.ly",
        "rebrand.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "s.id", "bl.ink", "lnkd.in",
    }
)  # fmt: skip

# TLDs that Spamhaus' and Interisle's abuse reports rank worst by share of abuse.
SUSPICIOUS_TLDS = frozenset(
    {
        "zip", "mov", "xyz", "top", "tk", "ml", "ga", "cf", "gq", "click", "loan", "work",
        "country", "kim", "men", "review", "stream", "gdn", "racing", "win", "bid", "date",
        "download", "cam", "rest", "icu", "cyou", "buzz", "sbs", "quest", "monster", "bar",
    }
)  # fmt: skip

EXECUTABLE_EXTENSIONS = frozenset(
    {
        "exe", "scr", "bat", "cmd", "com", "pif", "vbs", "vbe", "js", "jse", "wsf", "wsh",
        "msi", "msp", "hta", "cpl", "jar", "ps1", "lnk", "reg", "iso", "img", "dll", "apk",
        "docm", "xlsm", "pptm",
    }
)  # fmt: skip
EXECUTABLE_TYPES = frozenset(
    {
        "application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
        "application/x-executable", "application/vnd.microsoft.portable-executable",
        "application/java-archive", "application/x-ms-shortcut", "application/hta",
    }
)  # fmt: skip

# Free-mail providers: a lead from one is a person, not (visibly) a company.
FREEMAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de",
        "hotmail.com", "hotmail.co.uk", "hotmail.fr", "outlook.com", "live.com", "msn.com",
        "aol.com", "icloud.com", "me.com", "mac.com", "gmx.de", "gmx.net", "gmx.at",
        "web.de", "t-online.de", "freenet.de", "orange.fr", "free.fr", "laposte.net",
        "libero.it", "virgilio.it", "proton.me", "protonmail.com", "yandex.ru", "mail.ru",
        "qq.com", "163.com", "wp.pl", "o2.pl", "seznam.cz", "zoho.com",
    }
)  # fmt: skip

INTENT_PHRASES = (
    "quote", "quotation", "pricing", "price", "proposal", "interested in", "would like",
    "we need", "i need", "looking for", "can you help", "could you help", "hire",
    "book a call", "schedule a call", "a meeting", "demo", "estimate", "project",
    "angebot", "anfrage", "wir suchen", "ich suche", "brauchen", "interessiert",
    "devis", "nous cherchons", "je cherche", "besoin", "intéressé", "presupuesto",
    "necesitamos", "necesito", "buscamos", "interesado", "preventivo", "cerchiamo",
    "offerte", "wij zoeken", "orçamento", "precisamos",
)  # fmt: skip

URGENCY_PHRASES = (
    "asap", "urgent", "urgently", "as soon as possible", "this week", "next week",
    "right away", "immediately", "deadline", "by monday", "by friday", "quickly",
    "dringend", "so schnell wie möglich", "diese woche", "urgent", "rapidement",
    "cette semaine", "urgente", "lo antes posible", "esta semana", "al più presto",
)  # fmt: skip

BUDGET_PHRASES = (
    "budget", "€", "$", "£", "usd", "eur", "per month", "timeline", "launch", "by january",
    "by february", "by march", "by april", "by may", "by june", "by july", "by august",
    "by september", "by october", "by november", "by december", "q1", "q2", "q3", "q4",
    "within", "weeks", "months", "budget de", "presupuesto de", "bis ende", "monaten",
    "wochen", "mois", "semaines", "meses", "semanas",
)  # fmt: skip

# Mail that is not a buyer: vendors selling to the client, job seekers, link builders.
OFF_TARGET_PHRASES = (
    "guest post", "backlink", "seo services", "link building", "our agency offers",
    "we offer seo", "rank your website", "first page of google", "outsourcing partner",
    "white label", "my cv", "my resume", "resume attached", "job application",
    "internship", "apply for the position", "looking for a job", "partnership opportunity",
    "sponsored post", "write for your blog", "lead generation services", "app development services",
    "bewerbung", "lebenslauf", "candidature", "curriculum vitae",
)  # fmt: skip
