"""The ``huggingplace`` command: ``serve``, ``log``, ``doctor``, ``traces`` and ``demo``.

Exit codes: 0 success, 1 the server or network failed (or a check did not pass), 2 bad input or settings.
The API key is never printed: only its masked form.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

import httpx

from ._client import SyncHuggingPlace
from ._config import DEFAULT_BASE_URL, ENV_API_KEY, ClientConfig, mask_secret, resolve_config
from ._demo import DemoUnavailable, report, run_pipeline
from ._errors import ConfigurationError, HuggingPlaceError, ValidationError
from ._server import DEFAULT_DEV_API_KEY, INGEST_PATH, LocalServer, LogStore
from ._server._traces import TraceStore
from ._traceview import tree_lines
from ._wire import CALLER_ALIASES

DEFAULT_SERVE_HOST = "127.0.0.1"
DEFAULT_SERVE_PORT = 8787
DEFAULT_SERVE_DB = "huggingplace-local.sqlite3"

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _UsageError(Exception):
    """Bad command-line input: reported on stderr with exit code 2."""


# --- argument parsing --------------------------------------------------------------------------------
def _add_client_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("client settings (flag > HUGGINGPLACE_* environment > default)")
    group.add_argument("--api-key", help=f"API key (prefer the {ENV_API_KEY} environment variable)")
    group.add_argument("--org-id", help="organisation id (HUGGINGPLACE_ORG_ID)")
    group.add_argument("--base-url", help="API base URL (HUGGINGPLACE_BASE_URL), e.g. http://127.0.0.1:8787")
    group.add_argument("--mode", choices=("prod", "dev"), help="mode sent with every log (HUGGINGPLACE_MODE)")
    group.add_argument("--timeout", type=float, help="request timeout in milliseconds (HUGGINGPLACE_TIMEOUT)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="huggingplace",
        description="HuggingPlace SDK tools: a local server, logging, diagnostics, a demo.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the local HuggingPlace server until Ctrl+C")
    serve.add_argument("--host", default=DEFAULT_SERVE_HOST, help="address to bind (default %(default)s)")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_SERVE_PORT, help="port, 0 = any free one (default %(default)s)"
    )
    serve.add_argument(
        "--db", default=DEFAULT_SERVE_DB, help="SQLite file, or :memory: (default ./%(default)s)"
    )
    serve.add_argument(
        "--api-key",
        help=f"key clients must send (default: ${ENV_API_KEY}, else the dev key {DEFAULT_DEV_API_KEY!r})",
    )
    serve.add_argument(
        "--enable-fault-injection", action="store_true", help="expose POST /_control/faults for tests"
    )
    serve.add_argument(
        "--strict",
        action="store_true",
        help="behave like the published endpoint: one log object per request (arrays get 400), "
        "no capability document",
    )

    log = commands.add_parser("log", help="send one log and print the server's answer")
    log.add_argument(
        "--json", dest="json_body", metavar="JSON", help="the log as a JSON object, or - to read stdin"
    )
    log.add_argument("--prompt", help="user_prompt")
    log.add_argument("--response", help="response")
    log.add_argument("--session", help="session_id")
    log.add_argument("--model", help="llm_model")
    log.add_argument("--user-id", help="user_id")
    log.add_argument("--message-id", help="message_id (idempotency key; generated when absent)")
    log.add_argument("--token-count", type=int, help="token_count")
    log.add_argument("--response-time", type=float, help="response_time")
    log.add_argument("--metadata", metavar="JSON", help="metadata as a JSON object")
    log.add_argument("--user-metadata", metavar="JSON", help="user_metadata as a JSON object")
    _add_client_options(log)

    doctor = commands.add_parser("doctor", help="show the resolved settings and check connectivity and auth")
    _add_client_options(doctor)

    demo = commands.add_parser(
        "demo", help="trace a small app against recorded OpenAI answers and a local server, show the traces"
    )
    demo.add_argument("--db", help="SQLite file to keep the demo data in (default: a temporary file)")
    demo.add_argument("--serve", action="store_true", help="keep the server up for the viewer until Ctrl+C")
    demo.add_argument("--port", type=int, default=0, help="server port with --serve (default: any free one)")

    traces = commands.add_parser("traces", help="print trace trees from a local server's store")
    traces.add_argument("--session", help="only this session's traces")
    traces.add_argument("--last", type=int, help="only the N most recent traces")
    traces.add_argument("--json", action="store_true", help="print the traces and their spans as JSON")
    traces.add_argument(
        "--base-url", default=f"http://{DEFAULT_SERVE_HOST}:{DEFAULT_SERVE_PORT}",
        help="server to read from (default %(default)s)",
    )
    traces.add_argument("--api-key", help=f"its key (default: ${ENV_API_KEY}, else the dev key)")
    traces.add_argument("--db", help="read this SQLite file directly instead of a running server")
    return parser


def _version() -> str:
    try:
        return metadata.version("huggingplace-sdk")
    except metadata.PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handlers = {"serve": _serve, "log": _log, "doctor": _doctor, "demo": _demo, "traces": _traces}
    try:
        return handlers[args.command](args)
    except (_UsageError, ConfigurationError, ValidationError) as exc:
        print(f"huggingplace {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE


# --- serve -------------------------------------------------------------------------------------------
def _serve(args: argparse.Namespace) -> int:
    api_key, key_source = _serve_key(args.api_key)
    db_path = args.db if args.db == ":memory:" else str(Path(args.db).expanduser().resolve())
    server = LocalServer(
        db_path=db_path,
        api_key=api_key,
        host=args.host,
        port=args.port,
        enable_fault_injection=args.enable_fault_injection,
        strict=args.strict,
    )
    try:
        server.start()
    except sqlite3.Error as exc:
        print(f"huggingplace serve: cannot open the database {db_path}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"huggingplace serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    stop = threading.Event()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous_handler = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if in_main_thread else None
    _print_serving(server, db_path, mask_secret(api_key), key_source, args.enable_fault_injection)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_handler)
    print("stopped", flush=True)
    return EXIT_OK


def _serve_key(flag: str | None) -> tuple[str, str]:
    if flag is not None:
        if not flag.strip():
            raise _UsageError("--api-key must not be empty")
        return flag, "--api-key"
    from_env = os.environ.get(ENV_API_KEY, "").strip()
    if from_env:
        return from_env, ENV_API_KEY
    return DEFAULT_DEV_API_KEY, "the default dev key"


def _print_serving(server: LocalServer, db_path: str, masked_key: str, key_source: str, faults: bool) -> None:
    lines = [
        f"HuggingPlace local server listening on {server.url}",
        f"  database : {db_path}",
        f"  API key  : {masked_key} ({key_source})",
        f"  ingest   : POST {server.url}{INGEST_PATH} "
        + ("(strict: one log object per request)" if server.strict else "(one log object, or a JSON array)"),
        f"  OTLP     : POST {server.otlp_url} (application/x-protobuf or application/json; "
        "OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20<key>)",
        "  read     : GET /v1/sessions, /v1/sessions/{id}/logs, /v1/logs, /v1/logs/{message_id}, /v1/traces",
        f"  viewer   : {server.login_url()}",
        "             (a one-time sign-in link: it sets a cookie in your browser and then stops working)",
    ]
    if faults:
        lines.append("  faults   : POST /_control/faults (fault injection enabled)")
    if server.host not in ("127.0.0.1", "localhost", "::1"):
        lines.append(f"  warning  : listening on {server.host}, reachable beyond this machine")
    lines.append("Press Ctrl+C to stop.")
    print("\n".join(lines), flush=True)


# --- log ---------------------------------------------------------------------------------------------
def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise _UsageError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise _UsageError(f"{what} must be a JSON object")
    return value


# Our field name -> the published SDK's spelling of it (response -> ai_response ...).
_PUBLISHED_SPELLINGS = {canonical: published for published, canonical in CALLER_ALIASES.items()}


def _log_options(args: argparse.Namespace, stdin: TextIO) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if args.json_body is not None:
        text = stdin.read() if args.json_body == "-" else args.json_body
        options.update(_json_object(text, "--json"))
    flags: dict[str, Any] = {
        "user_prompt": args.prompt,
        "response": args.response,
        "session_id": args.session,
        "llm_model": args.model,
        "user_id": args.user_id,
        "message_id": args.message_id,
        "token_count": args.token_count,
        "response_time": args.response_time,
    }
    if args.metadata is not None:
        flags["metadata"] = _json_object(args.metadata, "--metadata")
    if args.user_metadata is not None:
        flags["user_metadata"] = _json_object(args.user_metadata, "--user-metadata")
    # Flags win over the same field in --json, whichever spelling the JSON used.
    for name, value in flags.items():
        if value is not None:
            options.pop(_PUBLISHED_SPELLINGS.get(name, name), None)
            options[name] = value
    if not options:
        raise _UsageError("nothing to log: give --prompt and --response, or --json")
    return options


def _client_arguments(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "api_key": args.api_key,
        "org_id": args.org_id,
        "base_url": args.base_url,
        "mode": args.mode,
        "timeout": args.timeout,
    }


def _log(args: argparse.Namespace) -> int:
    options = _log_options(args, sys.stdin)
    with SyncHuggingPlace(**_client_arguments(args)) as client:
        try:
            answer = client.log(options)
        except ValidationError:
            raise
        except HuggingPlaceError as exc:
            print(f"huggingplace log: {type(exc).__name__}: {exc}", file=sys.stderr)
            return EXIT_FAILED
    print(json.dumps(answer, indent=2, sort_keys=True))
    return EXIT_OK


# --- doctor ------------------------------------------------------------------------------------------
def _doctor(args: argparse.Namespace) -> int:
    try:
        config = resolve_config(_client_arguments(args))
    except ConfigurationError as exc:
        print(f"settings : invalid: {exc}")
        print("result   : not checked (fix the settings first)")
        return EXIT_USAGE
    _print_config(config)
    verdict, detail = _probe(config)
    print(f"endpoint : POST {config.base_url}{INGEST_PATH}")
    print(f"result   : {verdict}: {detail}")
    return EXIT_OK if verdict == "ok" else EXIT_FAILED


def _print_config(config: ClientConfig) -> None:
    print("settings (flag > environment > default):")
    print(f"  api_key  : {config.masked_api_key}")
    print(f"  org_id   : {config.org_id}")
    print(f"  mode     : {config.mode}")
    if config.base_url == DEFAULT_BASE_URL:
        print(f"  base_url : {config.base_url} (the default: the published HuggingPlace endpoint)")
    else:
        print(f"  base_url : {config.base_url} (default: {DEFAULT_BASE_URL})")
    print(f"  timeout  : {config.timeout_ms:g} ms")


def _probe(config: ClientConfig) -> tuple[str, str]:
    """POST an empty log: a server that knows the key refuses it as invalid and stores nothing."""
    headers = {"Authorization": f"Bearer {config.api_key}", "Content-Type": "application/json"}
    try:
        with httpx.Client(timeout=config.timeout_s) as http:
            response = http.post(config.base_url + INGEST_PATH, content=b"{}", headers=headers)
    except httpx.TimeoutException:
        return "unreachable", f"no answer within {config.timeout_ms:g} ms"
    except httpx.HTTPError as exc:
        return "unreachable", f"{type(exc).__name__}: {exc}"
    status = response.status_code
    text = _server_text(response).replace(config.api_key, "***")
    if status in (401, 403):
        return "auth rejected", f"HTTP {status}: {text}"
    if status in (400, 422) or 200 <= status < 300:
        return "ok", f"reachable and the key is accepted (probe answered HTTP {status})"
    return "unexpected answer", f"HTTP {status}: {text}"


def _server_text(response: httpx.Response) -> str:
    try:
        payload = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(payload, dict):
        for key in ("message", "error"):
            if isinstance(payload.get(key), str):
                return str(payload[key])
    return json.dumps(payload)[:200]


# --- demo ------------------------------------------------------------------------------------------
def _demo(args: argparse.Namespace) -> int:
    if args.db is not None:
        return _run_demo(str(Path(args.db).expanduser().resolve()), args)
    with tempfile.TemporaryDirectory(prefix="huggingplace-demo-") as folder:
        return _run_demo(str(Path(folder) / "demo.sqlite3"), args)


def _run_demo(db_path: str, args: argparse.Namespace) -> int:
    print("HuggingPlace demo: instrument an app, trace it, see the traces")
    with LocalServer(db_path=db_path, api_key=DEFAULT_DEV_API_KEY, port=args.port) as server:
        print(f"1. Started a local HuggingPlace server at {server.url} (SQLite file {db_path}).")
        print("2. An OpenAI-compatible stub answers from recorded OpenAI traffic (shared/cassettes/openai).")
        try:
            result = run_pipeline(server)
        except DemoUnavailable as exc:
            print(f"huggingplace demo: {exc}", file=sys.stderr)
            return EXIT_FAILED
        print(
            "3. Ran a small app under instrument(): a session, nested trace_step()s, a plain and a streamed "
            "chat completion, a tool step."
        )
        print(
            f"   {result.span_count} spans in {len(result.traces)} traces, sent through the HuggingPlace "
            "exporter and over OTLP/HTTP to the server. Read back from its store:"
        )
        report(server, result, sys.stdout)
        if not result.ok:
            return EXIT_FAILED
        if not args.serve:
            print("Run `huggingplace demo --serve` to keep the server up and open these traces in the viewer.")
            return EXIT_OK
        print(f"Viewer (one-time sign-in link): {server.login_url()}")
        print(f"Read API and OTLP: {server.url} (Bearer {mask_secret(DEFAULT_DEV_API_KEY)}). Press Ctrl+C to stop.",
              flush=True)
        _wait_for_stop()
    return EXIT_OK


def _wait_for_stop() -> None:
    stop = threading.Event()
    in_main_thread = threading.current_thread() is threading.main_thread()
    previous_handler = signal.signal(signal.SIGTERM, lambda *_: stop.set()) if in_main_thread else None
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        if in_main_thread:
            signal.signal(signal.SIGTERM, previous_handler)


# --- traces ----------------------------------------------------------------------------------------
def _traces(args: argparse.Namespace) -> int:
    if args.last is not None and args.last < 1:
        raise _UsageError("--last must be at least 1")
    if args.db is not None:
        found = _traces_from_db(args)
    else:
        try:
            found = _traces_from_server(args)
        except httpx.HTTPStatusError as exc:
            print(f"huggingplace traces: HTTP {exc.response.status_code}: {_server_text(exc.response)}",
                  file=sys.stderr)
            return EXIT_FAILED
        except httpx.HTTPError as exc:
            print(f"huggingplace traces: cannot reach {args.base_url}: {type(exc).__name__}: {exc}",
                  file=sys.stderr)
            return EXIT_FAILED
    if args.json:
        print(json.dumps(found, indent=2))
        return EXIT_OK
    if not found:
        print("no traces" + (f" in session {args.session!r}" if args.session else ""))
    for trace in reversed(found):  # oldest first, like a log
        print(f"trace {trace['trace_id']}")
        for line in tree_lines(trace["spans"]):
            print("  " + line)
    return EXIT_OK


def _traces_from_server(args: argparse.Namespace) -> list[dict[str, Any]]:
    key = args.api_key or os.environ.get(ENV_API_KEY, "").strip() or DEFAULT_DEV_API_KEY
    params: dict[str, str | int] = {}
    if args.session:
        params["session_id"] = args.session
    if args.last:
        params["limit"] = args.last
    with httpx.Client(base_url=args.base_url, headers={"Authorization": f"Bearer {key}"}, timeout=10) as http:
        summaries = http.get("/v1/traces", params=params).raise_for_status().json()["traces"]
        return [
            {**summary, "spans": http.get(f"/v1/traces/{summary['trace_id']}").raise_for_status().json()["spans"]}
            for summary in summaries
        ]


def _traces_from_db(args: argparse.Namespace) -> list[dict[str, Any]]:
    path = Path(args.db).expanduser()
    if not path.is_file():
        raise _UsageError(f"no database at {path}")
    store = LogStore(path)
    try:
        traces = TraceStore(store)
        summaries = traces.traces(session_id=args.session, limit=args.last)
        return [{**summary, "spans": traces.spans(summary["trace_id"])} for summary in summaries]
    finally:
        store.close()


if __name__ == "__main__":
    sys.exit(main())
