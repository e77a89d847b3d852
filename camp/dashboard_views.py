"""The season dashboard pages of the admin (charts, tables, CSV). Thin: the numbers come
from camp.dashboard, the drawing from camp.charts."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import formats
from django.utils.translation import gettext as _

from activities.models import Season
from portal.parsing import to_id

from .charts import bar_chart, heatmap
from .dashboard import Dashboard, season_dashboard

PERMISSION = "camp.view_season_dashboard"


def _check(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


def _season(season_id) -> Season:
    pk = to_id(season_id)
    if pk is None:
        raise Http404
    return get_object_or_404(Season, pk=pk)


def seasons(request: HttpRequest, admin_site) -> HttpResponse:
    _check(request)
    context = {
        **admin_site.each_context(request),
        "title": _("Season dashboard"),
        "seasons": Season.objects.order_by("-opens_at"),
    }
    return TemplateResponse(request, "admin/camp/dashboard_seasons.html", context)


def dashboard(request: HttpRequest, admin_site, season_id) -> HttpResponse:
    _check(request)
    season = _season(season_id)
    board = season_dashboard(season=season)
    money_values = []
    for m in board.money:
        money_values.append(
            (
                f"S{m.week.number}",
                float(m.revenue),
                _("%(week)s: revenue %(amount)s")
                % {"week": m.week.label, "amount": formats.number_format(m.revenue, 2)},
                "",
            )
        )
        money_values.append(
            (
                f"S{m.week.number}",
                float(m.refunds),
                _("%(week)s: refunds %(amount)s")
                % {"week": m.week.label, "amount": formats.number_format(m.refunds, 2)},
                "refund",
            )
        )
    hour_values = [
        (str(h), n, _("Hour %(hour)s: %(count)s registrations") % {"hour": h, "count": n}, "")
        for h, n in enumerate(board.hours)
    ]
    context = {
        **admin_site.each_context(request),
        "title": _("Season dashboard: %(season)s") % {"season": season},
        "board": board,
        "heat": heatmap(board, years=_("yrs")),
        "money_chart": bar_chart(money_values, bar_w=16, gap=4),
        "hours_chart": bar_chart(hour_values, bar_w=10, gap=2),
    }
    return TemplateResponse(request, "admin/camp/dashboard.html", context)


def dashboard_csv(request: HttpRequest, admin_site, season_id, table: str) -> HttpResponse:
    _check(request)
    season = _season(season_id)
    writers = {
        "remplissage": _fill_rows,
        "attente": _waiting_rows,
        "revenus": _money_rows,
        "heures": _hour_rows,
    }
    if table not in writers:
        raise Http404
    board = season_dashboard(season=season)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{table}-{season.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    for row in writers[table](board):
        writer.writerow(row)
    return response


def _fill_rows(board: Dashboard):
    yield [_("Week"), _("Ages"), _("Capacity"), _("Places taken"), _("Fill rate (%)"), _("Waiting")]
    for band, cells in board.rows:
        for cell in cells:
            yield [
                cell.week.number,
                f"{band[0]}-{band[1]}",
                cell.capacity,
                cell.taken,
                "" if cell.rate is None else cell.rate,
                cell.waiting,
            ]


def _waiting_rows(board: Dashboard):
    yield [_("Group"), _("Week"), _("Capacity"), _("Places taken"), _("Waiting")]
    for item in board.waiting:
        a = item.availability
        yield [item.group.activity.name, item.group.week.number, a.capacity, a.taken, a.waiting]


def _money_rows(board: Dashboard):
    yield [_("Week"), _("Revenue"), _("Refunds"), _("Net")]
    for m in board.money:
        yield [m.week.number, m.revenue, m.refunds, m.net]
    yield [_("Total"), board.revenue, board.refunds, board.net]


def _hour_rows(board: Dashboard):
    yield [_("Hours after the opening"), _("Registrations")]
    for hour, count in enumerate(board.hours):
        yield [hour, count]
    yield [_("Later"), board.later]
