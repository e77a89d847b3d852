from tests.registrations.conftest import (  # noqa: F401 - shared fixtures
    camp,
    daycare,
    lea,
    noah,
    season,
    transport,
    week,
    week2,
)
