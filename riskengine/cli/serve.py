"""``riskengine serve``: the HTTP decision service (docs/service.md). Needs the ``serve`` extra."""
from __future__ import annotations

import ipaddress

import click

from riskengine.cli.options import knowledge_option, rules_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@rules_option
@knowledge_option
@click.option("--tests", "tests", type=click.Path(file_okay=False), default=None,
              help="Rule tests a ruleset must pass before it serves (default: tests/cases beside the shipped "
                   "rules, when those are served).")
@click.option("--state-dir", type=click.Path(file_okay=False), default=None,
              help="Keep the last good ruleset here, to serve after a restart when the rule files are broken.")
@click.option("--log", "log", type=click.Path(dir_okay=False), default=None,
              help="Append a decision record per assessment (JSON line, personal data masked).")
@click.option("--keys-file", type=click.Path(dir_okay=False, exists=True), default=None,
              help="API keys with scopes, one 'TOKEN:assess,admin' per line (also $RISKENGINE_API_KEYS).")
@click.option("--watch", type=click.FloatRange(min=0), default=0, show_default=True, metavar="SECONDS",
              help="Poll the rule folders this often and reload when they change (0: off; SIGHUP and "
                   "POST /v1/admin/reload always work).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes, each with its own engine (SIGHUP then restarts them one by one).")
@click.option("--max-body", type=click.IntRange(min=1024), default=1_048_576, show_default=True,
              help="Largest request body in bytes (413 above).")
@click.option("--max-batch-lines", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds a request may compute before it is answered 503.")
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="One line per request on stderr (method, path, status; never headers or tokens).")
def serve(host: str, port: int, rules: str | None, knowledge: str | None, tests: str | None, state_dir: str | None,
          log: str | None, keys_file: str | None, watch: float, workers: int, max_body: int, max_batch_lines: int,
          timeout: float, access_log: bool) -> None:
    """Serve assessments over HTTP: POST /v1/assess, /docs, /metrics (docs/service.md)."""
    try:
        import uvicorn

        from riskengine.serve.auth import KeyConfigError, KeyStore
        from riskengine.serve.config import ENV, ServeConfig
    except ImportError as exc:
        click.echo(f"error: riskengine serve needs the 'serve' extra ({exc.name} is missing): "
                   "pip install 'riskengine[serve]'", err=True)
        raise SystemExit(2) from None
    try:
        keys = KeyStore.load(keys_file)
    except KeyConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None
    if not keys.enabled:
        loopback = host in ("localhost",) or _is_loopback(host)
        click.echo("note: no API keys configured: authentication is off"
                   + ("" if loopback else f" and {host} is reachable from other machines"), err=True)
    config = ServeConfig(rules=rules, knowledge=knowledge, tests=tests, state_dir=state_dir, log=log,
                         keys_file=keys_file, watch=watch, max_body=max_body, max_batch_lines=max_batch_lines,
                         timeout=timeout, workers=workers, load_in_background=workers == 1,
                         freeze_heap=True)
    if workers == 1:
        from riskengine.serve.app import create_app, log_to_stderr
        log_to_stderr()
        uvicorn.run(create_app(config, keys=keys), host=host, port=port, log_level="info", server_header=False,
                    access_log=access_log)
        return
    import os
    os.environ[ENV] = config.to_env()
    import inspect
    extra = {}
    if "timeout_worker_healthcheck" in inspect.signature(uvicorn.Config).parameters:
        # a worker loads and tests its ruleset before it is ready: give a restart (SIGHUP) time for that
        extra["timeout_worker_healthcheck"] = 120
    uvicorn.run("riskengine.serve.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="info", server_header=False, access_log=access_log, **extra)


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
