app_name = "phone"

urlpatterns: list = []  # type: ignore[type-arg]
