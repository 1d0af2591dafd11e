"""Spiders: one per site with rules (generated from ``crawler.sites``) and the generic ``news``."""
