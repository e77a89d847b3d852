"""Counting the renderings of templates: a kept fragment (``portal.fragments``) is not
rendered again."""

from django.template import Template


def count_renderings(monkeypatch, *names: str) -> list[str]:
    """The names of the templates among ``names`` rendered from now on, one per rendering
    of the template itself (an include or a fragment, not the page around it)."""
    rendered: list[str] = []
    original = Template.render

    def counting(self, context):
        if self.origin.template_name in names:
            rendered.append(self.origin.template_name)
        return original(self, context)

    monkeypatch.setattr(Template, "render", counting)
    return rendered


#: The hidden input of a form's CSRF token, as a page renders it (group 1: the token).
CSRF_INPUT = r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">'
