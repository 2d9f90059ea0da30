from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with a 400 instead of a 500 for JSON nested too deep to parse.

    Python's json module recurses once per level; a body of a thousand ``[`` raises
    RecursionError, which DRF does not expect. Body size is capped before parsing, by
    api.security.RequestLimitsMiddleware.
    """

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
