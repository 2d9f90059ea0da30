from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API, without forms or a DELETE button on a 404 page, and with a
    logout menu that works under the Content-Security-Policy (api/browsable_api.html).

    With no object to check, DRF offers a form whenever has_permission passes, so the 404
    for a note you may not see would still show DELETE. Other errors keep their forms: a 400
    re-displays what was posted, with the errors.
    """

    template = "api/browsable_api.html"

    def get_context(self, data, accepted_media_type, renderer_context):
        self.not_found = renderer_context["response"].status_code == 404
        return super().get_context(data, accepted_media_type, renderer_context)

    def show_form_for_method(self, view, method, request, obj):
        if self.not_found:
            return False
        return super().show_form_for_method(view, method, request, obj)
