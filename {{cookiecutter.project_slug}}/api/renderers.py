from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from rest_framework import renderers

if TYPE_CHECKING:  # DRF imports this module while rest_framework.views is being imported
    from rest_framework.renderers import BaseRenderer
    from rest_framework.request import Request
    from rest_framework.response import Response
    from rest_framework.views import APIView


# How much of a response's JSON a browsable API page shows. DRF's page turns every word
# that looks like a URL into a link, with the word percent-encoded in the href: a note body
# of "www." words made of 4-byte characters grows 16-fold, 16.3 MB for the largest page of
# notes. Cut here, no page is much over 3 MB, and the browser does not freeze
# highlighting it; ?format=json has the whole response.
SHOWN_CHARACTERS = 200_000


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API, without forms or a DELETE button on a 404 page, with a logout
    menu that works under the Content-Security-Policy (api/browsable_api.html), and showing
    at most SHOWN_CHARACTERS of a response.

    With no object to check, DRF offers a form whenever has_permission passes, so the 404
    for a note you may not see would still show DELETE. Other errors keep their forms: a 400
    re-displays what was posted, with the errors.
    """

    template = "api/browsable_api.html"

    def get_content(
        self,
        renderer: BaseRenderer,
        data: Any,
        accepted_media_type: str | None,
        renderer_context: Mapping[str, Any],
    ) -> str:
        content = super().get_content(renderer, data, accepted_media_type, renderer_context)
        if len(content) <= SHOWN_CHARACTERS:
            return content
        hidden = len(content) - SHOWN_CHARACTERS
        return (
            f"{content[:SHOWN_CHARACTERS]}\n\n"
            f"[{hidden:,} more characters: ?format=json shows the whole response]"
        )

    def get_context(
        self, data: Any, accepted_media_type: str | None, renderer_context: Mapping[str, Any]
    ) -> dict[str, Any]:
        response: Response = renderer_context["response"]
        self.not_found = response.status_code == 404
        return super().get_context(data, accepted_media_type, renderer_context)

    def show_form_for_method(
        self, view: APIView, method: str, request: Request, obj: Any
    ) -> bool | None:
        if self.not_found:
            return False
        return super().show_form_for_method(view, method, request, obj)
