"""The CLI through the front door: operators issue tokens directly, clerks act with theirs."""

from __future__ import annotations

import pytest

from tests.api.test_api import front, open_case  # noqa: F401  (the fixture)
from tests.test_starter import starter


@pytest.fixture
def cli_env(front):  # noqa: F811
    client = front["env"].client
    return {
        "TEMPORAL_ADDRESS": client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": client.namespace,
        "DATABASE_URL": front["pg_url"],
        "DISPUTE_API_URL": front["url"],
        "DISPUTE_TOKEN": "",
    }


async def test_operators_issue_list_and_revoke_tokens(front, cli_env, tmp_path):  # noqa: F811
    cli_env = {**cli_env, "DISPUTE_LANG": "en"}  # the messages' English wording
    issued = await starter(cli_env, "tokens", "issue", "--name", "周网格员", "--unit", "G-01",
                           "--role", "grid_worker")  # fmt: skip
    stranger = await starter(cli_env, "tokens", "issue", "--name", "假冒者", "--unit", "G-01",
                             "--role", "grid_worker")  # fmt: skip
    assert issued.returncode == 0, issued.stderr
    token = issued.stdout.strip()
    token_id = issued.stderr.split("issued ")[1].split()[0]
    assert stranger.returncode == 2 and "not an active person on the roster" in stranger.stderr

    await open_case(front, "CLI-1")
    file = tmp_path / "token"
    file.write_text(token + "\n")
    paused = await starter(cli_env, "pause", "CLI-1", "--reason", "appraisal",
                           "--token-file", str(file))  # fmt: skip
    assert paused.returncode == 0, paused.stderr
    assert '"status": "paused"' in paused.stdout

    listed = await starter(cli_env, "tokens", "list")
    assert f"{token_id}  周网格员  G-01  grid_worker  grid" in listed.stdout
    assert (await starter(cli_env, "tokens", "revoke", token_id)).returncode == 0
    after = await starter(cli_env, "resume", "CLI-1", "--token-file", str(file))
    assert after.returncode == 1 and "revoked" in after.stderr  # in the CLI's language


async def test_refusals_and_missing_tokens_keep_the_exit_codes(front, cli_env):  # noqa: F811
    cli_env = {**cli_env, "DISPUTE_LANG": "en"}  # the messages' English wording
    await open_case(front, "CLI-2")

    none = await starter(cli_env, "pause", "CLI-2", "--reason", "appraisal")
    other = await starter({**cli_env, "DISPUTE_TOKEN": front["other"]}, "pause", "CLI-2",
                          "--reason", "appraisal")  # fmt: skip
    down = await starter({**cli_env, "DISPUTE_API_URL": "http://127.0.0.1:9",
                          "DISPUTE_TOKEN": front["grid"]}, "resume", "CLI-2")  # fmt: skip

    assert none.returncode == 2 and "no token: set DISPUTE_TOKEN" in none.stderr
    assert other.returncode == 1
    # The API answers in the CLI's language; the reason is the case's own (it speaks Chinese).
    assert other.stderr.startswith(
        "pause: Pause the clock refused for CLI-2: 钱网格员 (grid_worker, G-08)不负责案件CLI-2"
    )
    assert down.returncode == 2 and "cannot reach the API" in down.stderr
    for result in (none, other, down):
        assert "Traceback" not in result.stderr
    zh_env = {**cli_env, "DISPUTE_LANG": "zh"}
    chinese = await starter(zh_env, "pause", "CLI-2", "--reason", "hearing")
    assert chinese.returncode == 2
    assert chinese.stderr.startswith("pause：没有令牌：请设置 DISPUTE_TOKEN")
    refused = await starter({**zh_env, "DISPUTE_TOKEN": front["other"]}, "pause", "CLI-2",
                            "--reason", "appraisal")  # fmt: skip
    assert refused.stderr.startswith("pause: 暂停计时被拒绝（CLI-2）：钱网格员")


async def test_list_prints_the_worklist_most_urgent_first(front, cli_env):  # noqa: F811
    await open_case(front, "CLI-3")
    result = await starter({**cli_env, "DISPUTE_LANG": "zh"}, "list", "--unit", "G-01")
    assert result.returncode == 0, result.stderr
    head, line = result.stdout.splitlines()
    assert head.split()[:2] == ["案件编号", "标题"]
    assert line.startswith("CLI-3  ") and "  网格  " in line and "剩余" in line
    assert result.stderr.strip().endswith("list：共 1 件")
    english = await starter(cli_env, "--lang", "en", "list", "--unit", "G-01", "--overdue")
    assert english.stdout == "" and english.stderr.strip().endswith("list: 0 case(s)")
    after = await starter({**cli_env, "DISPUTE_LANG": "zh"}, "list", "--unit", "G-01", "--lang=en")
    assert "  grid  " in after.stdout.splitlines()[1] and " left" in after.stdout
