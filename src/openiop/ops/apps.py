from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "openiop.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Each app registers its jobs in a `tasks` module; import them so the worker (and
        # job_enqueue) knows every name.
        from importlib import import_module

        from django.apps import apps

        for config in apps.get_app_configs():
            if config.name.startswith("openiop."):
                try:
                    import_module(f"{config.name}.tasks")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.tasks":
                        raise
