from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.vary import vary_on_headers

from .forms import CatalogueFilterForm
from .selectors import catalogue as catalogue_selector
from .selectors import catalogue_weeks_choices


@vary_on_headers("HX-Request")
def catalogue(request: HttpRequest) -> HttpResponse:
    """Public catalogue: anyone may browse. Filters are GET parameters (shareable URL); an htmx
    request gets only the results."""
    form = CatalogueFilterForm(request.GET or None, weeks=catalogue_weeks_choices())
    weeks = catalogue_selector(**form.filters())
    context = {"form": form, "weeks": weeks}
    template = "activities/catalogue.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)
