from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "openiop.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Each app declares its tasks and periodic jobs in a `tasks` module; import them all so
        # the scheduler knows every periodic job and the worker every task.
        from importlib import import_module

        from django.apps import apps

        from openiop.ops import helpline, tracking  # noqa: F401 (signal receivers)

        for config in apps.get_app_configs():
            if config.name.startswith("openiop."):
                try:
                    import_module(f"{config.name}.tasks")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.tasks":
                        raise
