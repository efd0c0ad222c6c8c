"""Adapters to the mail providers behind one Protocol (`MailProvider`)."""
