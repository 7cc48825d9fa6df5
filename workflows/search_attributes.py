"""The custom search attributes a case keeps current, defined once.

Ten Keyword attributes at most: the dev server's limit (Temporal Cloud allows 40), so the
case's complexity and the like stay in its summary rather than here.

No party names, phones or id numbers here: search attributes are stored unencrypted.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

CASE_LEVEL = SearchAttributeKey.for_keyword("CaseLevel")
CASE_STATUS = SearchAttributeKey.for_keyword("CaseStatus")
DISPUTE_TYPE = SearchAttributeKey.for_keyword("DisputeType")
RISK_COLOUR = SearchAttributeKey.for_keyword("RiskColour")
TOWNSHIP = SearchAttributeKey.for_keyword("Township")
VILLAGE = SearchAttributeKey.for_keyword("Village")
GRID = SearchAttributeKey.for_keyword("Grid")
CASE_DUE_AT = SearchAttributeKey.for_datetime("CaseDueAt")
#: The latest warning raised at the current level: none, yellow or red.
CASE_WARNING = SearchAttributeKey.for_keyword("CaseWarning")
#: The mediation track (三调联动): peoples, administrative, judicial_…, labour_…; none before.
MEDIATION_TRACK = SearchAttributeKey.for_keyword("MediationTrack")
#: none, waiting (departments have not all reported) or answered.
WHISTLE_STATE = SearchAttributeKey.for_keyword("WhistleState")

ALL: tuple[SearchAttributeKey, ...] = (
    CASE_LEVEL,
    CASE_STATUS,
    DISPUTE_TYPE,
    RISK_COLOUR,
    TOWNSHIP,
    VILLAGE,
    GRID,
    CASE_DUE_AT,
    CASE_WARNING,
    MEDIATION_TRACK,
    WHISTLE_STATE,
)


def cli_type(key: SearchAttributeKey) -> str:
    """The type name the `temporal` CLI uses for `key`: Keyword or Datetime."""
    return {"KEYWORD": "Keyword", "DATETIME": "Datetime"}[
        key.indexed_value_type.name.split("_")[-1]
    ]


def cli_flags() -> list[str]:
    """`--search-attribute Name=Type` flags for `temporal server start-dev`."""
    flags: list[str] = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={cli_type(key)}"]
    return flags
