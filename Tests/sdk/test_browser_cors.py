"""A real browser against agentd's CORS (AGENTD_CORS_ORIGINS): Debian's headless Chromium loads a page from a
local web server and calls agentd from it with an API key. From the listed origin the calls work (JSON, a
stream read with getReader(), the X-Request-ID header exposed, an error status readable); from another origin the
browser blocks them (TypeError). Plain-HTTP checks of the preflight and headers the browser relies on come first,
so a failure says which header is missing.

The page writes its results into the DOM and posts that text to its own server, which the test waits for (real
time, bounded), then stops Chromium. (--dump-dom with --virtual-time-budget mostly waits for the page's fetches, but
on a loaded machine it dumped a page still waiting for one: virtual time is not reliable for real network.) The page
also posts its progress before each step, so a page that stalls says where."""
import http.server
import json
import os
import queue
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest

KEY = "browser-key"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>agentd from a browser</title></head>
<body><pre id="results">pending</pre>
<script>
const api = "%(api)s", key = "%(key)s";
const results = {};
const shown = document.getElementById("results");
async function step(name, call) {
  shown.textContent = "pending " + name + " after " + JSON.stringify(results);
  navigator.sendBeacon("/progress", shown.textContent);
  try { results[name] = await call(); } catch (error) { results[name] = {error: error.name + ": " + error.message}; }
}
function post(path, body, headers) {
  return fetch(api + path, {method: "POST", body: JSON.stringify(body),
    headers: {"Content-Type": "application/json", "Authorization": "Bearer " + key, ...headers}});
}
(async () => {
  await step("chat", async () => {
    const response = await post("/chat", {message: "hello browser", model: "mock:echo"});
    const body = await response.json();
    return {status: response.status, response: body.response, request_id: response.headers.get("X-Request-ID"),
            rate_limit: response.headers.get("X-RateLimit-Limit")};
  });
  await step("stream", async () => {
    const response = await post("/chat/stream", {message: "stream in the browser", model: "mock:echo"});
    const reader = response.body.getReader(), decoder = new TextDecoder();
    let raw = "", reads = 0;
    for (;;) {
      const {done, value} = await reader.read();
      if (done) break;
      reads += 1;
      raw += decoder.decode(value, {stream: true});
    }
    const events = raw.split("\\n").filter(line => line.startsWith("data: ")).map(line => JSON.parse(line.slice(6)));
    return {status: response.status, content_type: response.headers.get("Content-Type"), reads: reads,
            text: events.filter(event => event.type === "text").map(event => event.content).join(""),
            last: events.length ? events[events.length - 1].type : null,
            request_id: response.headers.get("X-Request-ID")};
  });
  await step("models", async () => {
    const response = await fetch(api + "/v1/models", {headers: {"Authorization": "Bearer " + key}});
    const body = await response.json();
    return {status: response.status, ids: body.data.map(model => model.id),
            request_id: response.headers.get("X-Request-ID")};
  });
  await step("no_key", async () => {
    const response = await fetch(api + "/v1/models");
    return {status: response.status, request_id: response.headers.get("X-Request-ID")};
  });
  await step("sdk_headers", async () => {
    // The headers the OpenAI JS SDK sends with every request: a preflight must allow them.
    const response = await post("/v1/chat/completions",
      {model: "mock:echo", messages: [{role: "user", content: "from the sdk"}]},
      {"X-Stainless-Lang": "js", "X-Stainless-Retry-Count": "0", "X-Request-ID": "browser-request-1"});
    const body = await response.json();
    return {status: response.status, content: body.choices ? body.choices[0].message.content : body,
            request_id: response.headers.get("X-Request-ID")};
  });
  await step("anthropic_headers", async () => {
    const response = await fetch(api + "/v1/messages", {method: "POST",
      headers: {"Content-Type": "application/json", "X-API-Key": key, "anthropic-version": "2023-06-01"},
      body: JSON.stringify({model: "mock:echo", max_tokens: 50, messages: [{role: "user", content: "from claude"}]})});
    const body = await response.json();
    return {status: response.status, text: body.content ? body.content[0].text : body};
  });
  await step("responses_stream", async () => {
    const response = await post("/v1/responses", {model: "mock:echo", input: "responses in the browser", stream: true});
    const raw = await response.text();
    const events = raw.split("\\n").filter(line => line.startsWith("data: ")).map(line => JSON.parse(line.slice(6)));
    return {status: response.status,
            text: events.filter(event => event.type === "response.output_text.delta").map(event => event.delta).join(""),
            last: events.length ? events[events.length - 1].type : null};
  });
  shown.textContent = JSON.stringify(results);
  await fetch("/report", {method: "POST", body: shown.textContent});
})();
</script></body></html>
"""

STEPS = ["chat", "stream", "models", "no_key", "sdk_headers", "anthropic_headers", "responses_stream"]


class PageServer:
    """The page on 127.0.0.1:<port> (a thread); the DOM text the page reported to POST /report, and the last
    progress it posted to /progress."""

    def __init__(self):
        self.page = b""
        self.reports = queue.Queue()
        self.progress = "nothing: the page did not run"
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != "/page.html":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(outer.page)))
                self.end_headers()
                self.wfile.write(outer.page)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                if self.path == "/progress":
                    outer.progress = body
                else:
                    outer.reports.put(body)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pages():
    servers = [PageServer(), PageServer()]
    yield servers
    for server in servers:
        server.close()


@pytest.fixture
def cors_agentd(start_agentd, pages):
    """An agentd with an API key that lets the first page server's origin in (not the second's); its token bucket
    is on (never empty) so the X-RateLimit-* headers are sent."""
    return start_agentd(AGENTD_API_KEYS=KEY, AGENTD_CORS_ORIGINS=pages[0].origin,
                        AGENTD_RATE_LIMIT_RPS=1000, AGENTD_RATE_LIMIT_BURST=1000)


def run_page(server, api):
    """Loads the page in headless Chromium; the results the page wrote into its DOM (and reported)."""
    if not CHROMIUM:
        pytest.skip("no chromium binary on the PATH (scripts/test.sh installs Debian's chromium)")
    server.page = (PAGE % {"api": api, "key": KEY}).encode()
    with tempfile.TemporaryDirectory(prefix="agentd-chromium-") as scratch:
        with open(os.path.join(scratch, "stderr"), "w+") as stderr:
            browser = subprocess.Popen(
                [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--no-default-browser-check", f"--user-data-dir={os.path.join(scratch, 'profile')}",
                 server.origin + "/page.html"],
                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
            report = None
            deadline = time.monotonic() + 30
            try:
                while report is None and browser.poll() is None and time.monotonic() < deadline:
                    try:
                        report = server.reports.get(timeout=0.2)
                    except queue.Empty:
                        pass
            finally:
                # Chromium and its helper processes: the session this test started.
                os.killpg(browser.pid, signal.SIGTERM)
                try:
                    browser.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(browser.pid, signal.SIGKILL)
                    browser.wait(timeout=5)
            stderr.seek(0)
            log = stderr.read()
    if report is None:
        pytest.fail(f"the page reported nothing within 30 s (chromium: {browser.returncode}); it last showed: "
                    f"{server.progress!r}; chromium's stderr ends: {log[-1500:]!r}")
    return json.loads(report)


def http_call(method, url, headers):
    request = urllib.request.Request(url, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def test_preflight_and_headers(cors_agentd, pages):
    allowed, other = pages[0].origin, pages[1].origin
    status, headers = http_call("OPTIONS", cors_agentd.root + "/chat", {
        "Origin": allowed, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type,x-stainless-lang"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == allowed
    assert "Origin" in headers.get("Vary", "")
    assert "POST" in headers["Access-Control-Allow-Methods"]
    allowed_headers = {name.strip().lower() for name in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type", "x-stainless-lang"} <= allowed_headers
    assert int(headers["Access-Control-Max-Age"]) > 0
    # The answer itself carries the origin and exposes the headers a front end reads.
    status, headers = http_call("GET", cors_agentd.root + "/v1/models",
                                {"Origin": allowed, "Authorization": f"Bearer {KEY}"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == allowed
    exposed = {name.strip().lower() for name in headers["Access-Control-Expose-Headers"].split(",")}
    assert {"x-request-id", "x-ratelimit-limit", "x-ratelimit-remaining", "retry-after", "location"} <= exposed
    # Another origin gets no CORS headers, preflight or not; probes never send any.
    status, headers = http_call("OPTIONS", cors_agentd.root + "/chat", {
        "Origin": other, "Access-Control-Request-Method": "POST"})
    assert "Access-Control-Allow-Origin" not in headers
    status, headers = http_call("GET", cors_agentd.root + "/v1/models", {"Origin": other, "Authorization": f"Bearer {KEY}"})
    assert status == 200
    assert "Access-Control-Allow-Origin" not in headers
    status, headers = http_call("GET", cors_agentd.root + "/health/live", {"Origin": allowed})
    assert status == 200
    assert "Access-Control-Allow-Origin" not in headers
    status, headers = http_call("GET", cors_agentd.root + "/metrics", {"Origin": allowed})
    assert status == 200
    assert "Access-Control-Allow-Origin" not in headers


def test_preflight_answers_for_the_route(cors_agentd, pages):
    """Allow-Methods are the route's; a requested header outside the list is not allowed; the Anthropic browser
    SDK's headers are (it sends anthropic-dangerous-direct-browser-access with dangerouslyAllowBrowser)."""
    allowed = pages[0].origin
    status, headers = http_call("OPTIONS", cors_agentd.root + "/tasks/task_123", {
        "Origin": allowed, "Access-Control-Request-Method": "DELETE", "Access-Control-Request-Headers": "authorization"})
    assert status == 204
    methods = {name.strip() for name in headers["Access-Control-Allow-Methods"].split(",")}
    assert {"GET", "DELETE"} <= methods and "POST" not in methods
    status, headers = http_call("OPTIONS", cors_agentd.root + "/tasks", {
        "Origin": allowed, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,idempotency-key,x-not-allowed"})
    assert status == 204
    allowed_headers = {name.strip().lower() for name in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "idempotency-key"} <= allowed_headers
    assert "x-not-allowed" not in allowed_headers
    browser_sdk = ["x-api-key", "anthropic-version", "anthropic-dangerous-direct-browser-access", "content-type",
                   "x-stainless-lang", "x-stainless-package-version", "x-stainless-retry-count"]
    status, headers = http_call("OPTIONS", cors_agentd.root + "/v1/messages", {
        "Origin": allowed, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": ",".join(browser_sdk)})
    assert status == 204
    allowed_headers = {name.strip().lower() for name in headers["Access-Control-Allow-Headers"].split(",")}
    assert set(browser_sdk) <= allowed_headers


def test_browser_on_the_allowed_origin(cors_agentd, pages):
    results = run_page(pages[0], cors_agentd.root)
    assert list(results) == STEPS
    assert results["chat"].get("status") == 200, results["chat"]
    assert results["chat"]["response"] == "echo: hello browser"
    assert results["chat"]["request_id"], "X-Request-ID is not exposed to the page"
    assert results["chat"]["rate_limit"], "X-RateLimit-Limit is not exposed to the page"
    stream = results["stream"]
    assert stream.get("status") == 200, stream
    assert stream["content_type"].startswith("text/event-stream")
    assert stream["text"] == "echo: stream in the browser"
    assert stream["last"] == "done"
    assert stream["request_id"]
    assert results["models"].get("status") == 200, results["models"]
    assert "mock:echo" in results["models"]["ids"]
    assert results["models"]["request_id"]
    assert results["no_key"].get("status") == 401, results["no_key"]
    assert results["no_key"]["request_id"]
    assert results["sdk_headers"] == {"status": 200, "content": "echo: from the sdk",
                                      "request_id": "browser-request-1"}, results["sdk_headers"]
    assert results["anthropic_headers"] == {"status": 200, "text": "echo: from claude"}, results["anthropic_headers"]
    assert results["responses_stream"] == {"status": 200, "text": "echo: responses in the browser",
                                           "last": "response.completed"}, results["responses_stream"]


def test_browser_on_another_origin_is_blocked(cors_agentd, pages):
    results = run_page(pages[1], cors_agentd.root)
    assert list(results) == STEPS
    for step in STEPS:
        assert results[step].get("error", "").startswith("TypeError"), (step, results[step])


def test_preflights_need_no_key_and_are_not_rate_limited(start_agentd):
    origin = "http://127.0.0.1:9"
    server = start_agentd(AGENTD_API_KEYS=KEY, AGENTD_CORS_ORIGINS=origin, AGENTD_RATE_LIMIT_RPS=0.01,
                          AGENTD_RATE_LIMIT_BURST=1)
    for _ in range(5):
        status, headers = http_call("OPTIONS", server.root + "/v1/chat/completions", {
            "Origin": origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert status == 204
        assert headers["Access-Control-Allow-Origin"] == origin


def test_any_origin_never_allows_credentials(start_agentd):
    server = start_agentd(AGENTD_CORS_ORIGINS="*")
    origin = "https://app.example.com"
    status, headers = http_call("OPTIONS", server.root + "/v1/messages", {
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "x-api-key,anthropic-version,content-type"})
    assert status == 204
    assert headers["Access-Control-Allow-Origin"] in ("*", origin)
    assert headers.get("Access-Control-Allow-Credentials", "false").lower() != "true"
    allowed_headers = {name.strip().lower() for name in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"x-api-key", "anthropic-version", "content-type"} <= allowed_headers
    status, headers = http_call("GET", server.root + "/v1/models", {"Origin": origin})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] in ("*", origin)
    assert headers.get("Access-Control-Allow-Credentials", "false").lower() != "true"
