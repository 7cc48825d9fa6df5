"""The custom search attributes a case keeps current, defined once.

No party names, phones or id numbers here: search attributes are stored unencrypted.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

CASE_LEVEL = SearchAttributeKey.for_keyword("CaseLevel")
CASE_STATUS = SearchAttributeKey.for_keyword("CaseStatus")
DISPUTE_TYPE = SearchAttributeKey.for_keyword("DisputeType")
COMPLEXITY = SearchAttributeKey.for_keyword("CaseComplexity")
RISK_COLOUR = SearchAttributeKey.for_keyword("RiskColour")
TOWNSHIP = SearchAttributeKey.for_keyword("Township")
VILLAGE = SearchAttributeKey.for_keyword("Village")
GRID = SearchAttributeKey.for_keyword("Grid")
CASE_DUE_AT = SearchAttributeKey.for_datetime("CaseDueAt")
#: The latest warning raised at the current level: none, yellow or red.
CASE_WARNING = SearchAttributeKey.for_keyword("CaseWarning")

ALL: tuple[SearchAttributeKey, ...] = (
    CASE_LEVEL,
    CASE_STATUS,
    DISPUTE_TYPE,
    COMPLEXITY,
    RISK_COLOUR,
    TOWNSHIP,
    VILLAGE,
    GRID,
    CASE_DUE_AT,
    CASE_WARNING,
)


def cli_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    kinds = {"KEYWORD": "Keyword", "DATETIME": "Datetime"}
    flags: list[str] = []
    for key in ALL:
        flags += [
            "--search-attribute",
            f"{key.name}={kinds[key.indexed_value_type.name.split('_')[-1]]}",
        ]
    return flags
