"""Starts mock-llm and an agentd that reaches it as two providers: `oai` (OpenAI kind) and `ant` (Anthropic kind).

The binaries come from the Swift build (AGENTD_BIN_DIR, default .build/debug). Every wait is bounded and both
processes are stopped at the end of the session.
"""
import json
import os
import socket
import subprocess
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


@pytest.fixture(scope="session")
def agentd_url():
    mock = subprocess.Popen([os.path.join(BIN, "mock-llm")], env={**os.environ, "MOCK_LLM_PORT": "0"},
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        mock_port = None
        deadline = time.time() + 15
        while mock_port is None and time.time() < deadline:
            line = mock.stdout.readline()
            if '"listening"' in line:
                mock_port = json.loads(line)["port"]
        assert mock_port, "mock-llm did not start"
        port = free_port()
        env = {**os.environ, "AGENTD_PORT": str(port), "AGENTD_LOG_LEVEL": "warning",
               "AGENTD_PROVIDER_OAI_BASE_URL": f"http://127.0.0.1:{mock_port}/v1",
               "AGENTD_PROVIDER_ANT_BASE_URL": f"http://127.0.0.1:{mock_port}",
               "AGENTD_PROVIDER_ANT_KIND": "anthropic"}
        agentd = subprocess.Popen([os.path.join(BIN, "agentd")], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(f"http://127.0.0.1:{port}/health/live")
            yield f"http://127.0.0.1:{port}/v1"
        finally:
            agentd.terminate()
            agentd.wait(timeout=30)
    finally:
        mock.terminate()
        mock.wait(timeout=10)
