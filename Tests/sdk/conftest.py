"""Starts mock-llm and an agentd that reaches it as two providers: `oai` (OpenAI kind) and `ant` (Anthropic kind).

The binaries come from the Swift build (AGENTD_BIN_DIR, default .build/debug). Every wait is bounded and every
process started here is stopped at the end of its fixture. `start_agentd` starts more agentds on the same
mock-llm with extra environment (API keys, CORS origins) for the tests that need another configuration.
"""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

import pytest

BIN = os.environ.get("AGENTD_BIN_DIR", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "debug"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, seconds=15):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {seconds}s")


class Agentd:
    """One running agentd: `root` is http://127.0.0.1:<port> (the Anthropic SDK's base URL), `v1` is root + /v1
    (the OpenAI SDKs'). Its log (warning and above) goes to a temporary file, shown when it fails to start."""

    def __init__(self, mock_port, extra_env):
        self.port = free_port()
        self.root = f"http://127.0.0.1:{self.port}"
        self.v1 = self.root + "/v1"
        self.log = tempfile.NamedTemporaryFile(prefix="agentd-", suffix=".log", delete=False)
        # Its own task journal: agentds started side by side never share one.
        self.data_dir = tempfile.mkdtemp(prefix="agentd-data-")
        # The token bucket is off: the suite sends far more than its default 10 requests/s from one address.
        env = {**os.environ, "AGENTD_PORT": str(self.port), "AGENTD_LOG_LEVEL": "warning", "AGENTD_RATE_LIMIT_RPS": "0",
               "AGENTD_PROVIDER_OAI_BASE_URL": f"http://127.0.0.1:{mock_port}/v1",
               "AGENTD_PROVIDER_ANT_BASE_URL": f"http://127.0.0.1:{mock_port}",
               "AGENTD_PROVIDER_ANT_KIND": "anthropic", "AGENTD_DATA_DIR": self.data_dir, **extra_env}
        self.process = subprocess.Popen([os.path.join(BIN, "agentd")], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for(self.root + "/health/live")
        except RuntimeError:
            self.stop()
            with open(self.log.name) as log:
                raise RuntimeError(f"agentd did not start; its log:\n{log.read()[-4000:]}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()
        os.unlink(self.log.name)
        shutil.rmtree(self.data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def mock_port():
    """mock-llm on a free port, for the whole session."""
    mock = subprocess.Popen([os.path.join(BIN, "mock-llm")], env={**os.environ, "MOCK_LLM_PORT": "0"},
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        port = None
        deadline = time.time() + 15
        while port is None and time.time() < deadline:
            line = mock.stdout.readline()
            if '"listening"' in line:
                port = json.loads(line)["port"]
        assert port, "mock-llm did not start"
        # Its log is read on and dropped, so a full pipe never stalls it.
        threading.Thread(target=lambda: [None for _ in mock.stdout], daemon=True).start()
        yield port
    finally:
        mock.terminate()
        mock.wait(timeout=10)


@pytest.fixture(scope="session")
def agentd(mock_port):
    """The shared agentd: no API keys, no CORS."""
    server = Agentd(mock_port, {})
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def agentd_url(agentd):
    """The shared agentd's OpenAI base URL (…/v1)."""
    return agentd.v1


@pytest.fixture(scope="session")
def agentd_root(agentd):
    """The shared agentd's root URL (the Anthropic SDK's base URL)."""
    return agentd.root


@pytest.fixture
def start_agentd(mock_port):
    """start_agentd(**env) starts another agentd on the same mock-llm with extra environment; stopped after the test."""
    started = []

    def start(**extra_env):
        server = Agentd(mock_port, {name: str(value) for name, value in extra_env.items()})
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def mock_stats(mock_port):
    """mock-llm's counters (GET /stats)."""
    with urllib.request.urlopen(f"http://127.0.0.1:{mock_port}/stats", timeout=5) as response:
        return json.loads(response.read())


def wait_for_cancelled_stream(mock_port, before, seconds=10):
    """Waits until mock-llm has counted more cancelled streams than `before`; fails after `seconds`."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if mock_stats(mock_port)["streams_cancelled"] > before:
            return
        time.sleep(0.05)
    raise AssertionError(f"no upstream stream was cancelled within {seconds}s: {mock_stats(mock_port)}")
