"""Settings from `FORGE_*` variables: defaults, conversions and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.enums import Plan
from domain.rules.models import OFFLINE_MODEL
from forge.settings import Settings, SettingsError, load_settings, parse_settings


def test_defaults_give_the_embedded_deployment():
    settings = parse_settings({})

    assert settings.resolved_database_url == "sqlite:///data/forge.sqlite3"
    assert (settings.redis_url, settings.uses_clerk, settings.port) == (None, False, 8000)


def test_values_are_converted_from_text():
    settings = parse_settings(
        {"FORGE_PORT": "9000", "FORGE_ADMIN_USER_IDS": "alice, bob", "FORGE_DATA_DIR": "/srv/forge"}
    )

    assert (settings.port, settings.admin_user_ids, settings.data_dir) == (
        9000,
        frozenset({"alice", "bob"}),
        Path("/srv/forge"),
    )


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"FORGE_PORT": "abc"}, "FORGE_PORT: expected an integer between 1 and 65535, got 'abc'"),
        ({"FORGE_PORT": "0"}, "FORGE_PORT: expected an integer between 1 and 65535, got '0'"),
        (
            {"FORGE_LOG_LEVEL": "LOUD"},
            "FORGE_LOG_LEVEL: expected one of DEBUG, INFO, WARNING, ERROR, got 'LOUD'",
        ),
        ({"FORGE_PROT": "8000"}, "FORGE_PROT: unknown setting (the README lists every FORGE_ variable)"),
        (
            {"FORGE_DATABASE_URL": "mysql://db"},
            "FORGE_DATABASE_URL: expected postgresql://user@host:port/db or sqlite:///path, got 'mysql://db'",
        ),
        (
            {"FORGE_REDIS_URL": "localhost:6379"},
            "FORGE_REDIS_URL: expected redis://host:port/db, got 'localhost:6379'",
        ),
        (
            {"FORGE_REDIS_URL": "redis://node-1:7000", "FORGE_REDIS_CLUSTER": "maybe"},
            "FORGE_REDIS_CLUSTER: expected true or false, got 'maybe'",
        ),
        (
            {"FORGE_REDIS_CLUSTER": "true"},
            "FORGE_REDIS_CLUSTER: needs FORGE_REDIS_URL=redis://host:port of a cluster node, got None",
        ),
        (
            {
                "FORGE_REDIS_URL": "redis://node-1:7000",
                "FORGE_REDIS_CLUSTER": "true",
                "FORGE_REDIS_PREFIX": "{forge}:",
            },
            "FORGE_REDIS_PREFIX: no { or } on a cluster, got '{forge}:'",
        ),
        (
            {"FORGE_AGENT_CONTEXT_BUDGETS": "claude-haiku-5-5=lots"},
            "FORGE_AGENT_CONTEXT_BUDGETS: expected model=tokens pairs of at least 1000 tokens "
            "(claude-haiku-5-5=100000), got 'claude-haiku-5-5=lots'",
        ),
        (
            {"FORGE_AGENT_RETRY_FIRST_DELAY_SECONDS": "0"},
            "FORGE_AGENT_RETRY_FIRST_DELAY_SECONDS: expected a positive number of seconds, got '0'",
        ),
    ],
)
def test_a_wrong_value_is_one_line_naming_the_variable(environ, message):
    with pytest.raises(SettingsError) as error:
        parse_settings(environ)

    assert str(error.value) == message


def test_a_cluster_is_chosen_with_its_setting():
    settings = parse_settings({"FORGE_REDIS_URL": "redis://node-1:7000/0", "FORGE_REDIS_CLUSTER": "true"})

    assert (settings.redis_url, settings.redis_cluster) == ("redis://node-1:7000/0", True)


def test_clerk_needs_its_issuer():
    with pytest.raises(SettingsError, match=r"^FORGE_CLERK_ISSUER: "):
        parse_settings({"FORGE_CLERK_JWKS_URL": "https://clerk.example/.well-known/jwks.json"})


def test_test_suite_variables_are_not_settings():
    assert parse_settings({"FORGE_TEST_REQUIRE_SERVICES": "1"}) == Settings()


def test_the_environment_wins_over_the_env_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# local overrides\nFORGE_PORT=9001\nexport FORGE_HOST='0.0.0.0'\n")

    settings = load_settings({"FORGE_PORT": "9002"}, env_file)

    assert (settings.port, settings.host) == (9002, "0.0.0.0")


def test_an_empty_variable_means_the_default():
    assert parse_settings({"FORGE_REDIS_URL": ""}).redis_url is None


def test_without_an_anthropic_key_the_offline_model_is_allowed_on_every_plan():
    catalog = parse_settings({"FORGE_ALLOWED_MODELS_FREE": "claude-haiku-5-5"}).model_catalog

    assert catalog.allowed_for(Plan.FREE) == ["claude-haiku-5-5", OFFLINE_MODEL]


def test_with_an_anthropic_key_the_default_model_is_anthropics_and_offline_is_not_allowed():
    catalog = parse_settings(
        {
            "FORGE_ANTHROPIC_API_KEY": "sk-test",
            "FORGE_ANTHROPIC_MODEL": "claude-sonnet-5-5",
            "FORGE_ALLOWED_MODELS_PRO": "claude-opus-5-5",
        }
    ).model_catalog

    assert (catalog.default, catalog.allowed_for(Plan.PRO)) == (
        "claude-sonnet-5-5",
        ["claude-opus-5-5", "claude-sonnet-5-5"],
    )


def test_the_token_budget_of_a_run_is_a_setting():
    assert parse_settings({}).agent_max_tokens_per_run == 400_000
    assert parse_settings({"FORGE_AGENT_MAX_TOKENS_PER_RUN": "5000"}).agent_max_tokens_per_run == 5000


def test_a_model_may_have_a_context_budget_of_its_own():
    settings = parse_settings(
        {
            "FORGE_AGENT_CONTEXT_BUDGET_TOKENS": "120000",
            "FORGE_AGENT_CONTEXT_BUDGETS": "claude-haiku-5-5=90000",
        }
    )

    assert (settings.agent_context_budget_tokens, settings.context_budget_overrides) == (
        120_000,
        {"claude-haiku-5-5": 90_000},
    )
