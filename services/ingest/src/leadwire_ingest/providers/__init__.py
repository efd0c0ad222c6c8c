"""Adapters to the mail providers (Gmail, Graph) behind one `MailProvider` Protocol."""
