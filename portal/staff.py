"""Staff pages outside the admin: the admin's login, then one named permission, never
``is_staff`` alone. Knows no domain model: the permission is a string."""

from collections.abc import Callable
from functools import wraps

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


def staff_permission_required(permission: str) -> Callable[[Callable], Callable]:
    """Anonymous or a parent: the admin login. Staff without ``permission``: 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def check(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.has_perm(permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded = staff_member_required(check)
        guarded.required_permission = permission  # read by the permission walk test
        return guarded

    return decorator
