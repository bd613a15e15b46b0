"""The post tests use the desk tests' small office."""

from tests.desk.conftest import office  # noqa: F401 (a fixture)
