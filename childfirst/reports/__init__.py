"""Reports: annual monitoring report, mid-term and final evaluation (Word and PDF), and the public
open-data portal. Everything here is built from published evaluation snapshots only."""
