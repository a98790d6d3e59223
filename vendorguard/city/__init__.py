"""The city itself: one admin-editable profile that documents, mails, the portal and public pages print."""
