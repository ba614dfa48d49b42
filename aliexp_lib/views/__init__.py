"""Views: tables, figures and widgets for people, built from the engines; notebooks call these."""
