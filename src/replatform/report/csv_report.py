"""CSV: one row per finding, for spreadsheets (cells that start like a formula are neutralised)."""

from __future__ import annotations

import csv
import io

from replatform.model import Report
from replatform.report.escape import csv_cell

COLUMNS = ("severity", "rule_id", "confidence", "path", "line", "subject", "count", "message", "fix", "fingerprint")


class CsvReporter:
    """Header row, then findings worst first (report order)."""

    def render(self, report: Report, *, color: bool = False) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        for f in report.findings:
            writer.writerow(
                csv_cell(cell)
                for cell in (
                    f.severity.value,
                    f.rule_id,
                    f.confidence.value,
                    f.location.path,
                    f.location.line,
                    f.subject,
                    f.count,
                    f.message,
                    f.fix.description if f.fix else "",
                    f.fingerprint,
                )
            )
        return buffer.getvalue()
