from django.conf import settings


def site(request):
    """What every page shows of the town."""
    return {"municipality_name": settings.MUNICIPALITY_NAME}
