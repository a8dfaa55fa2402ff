"""The new inbound APIs go through the same pipeline as chat: a key's daily token budget refuses embeddings,
Messages and Responses calls with the SDKs' RateLimitError, /metrics counts each route, the response cache answers
identical calls, and an upstream 429 is retried."""
import re
import urllib.request
import uuid

import anthropic
import openai
import pytest
from anthropic import Anthropic
from openai import OpenAI
from conftest import mock_stats

KEY = "limits-key"


@pytest.fixture
def budgeted(start_agentd):
    """An agentd whose key may spend 30 tokens a day."""
    return start_agentd(AGENTD_API_KEYS=KEY, AGENTD_DAILY_TOKEN_BUDGET=30)


def test_embeddings_spend_the_budget(budgeted):
    client = OpenAI(base_url=budgeted.v1, api_key=KEY, max_retries=0, timeout=20)
    text = "a" * 40  # 10 tokens to the mock
    for _ in range(3):
        assert client.embeddings.create(model="oai:text-embedding-3-small", input=text).usage.prompt_tokens == 10
    with pytest.raises(openai.RateLimitError) as error:
        client.embeddings.create(model="oai:text-embedding-3-small", input=text)
    assert error.value.code == "budget_exceeded"
    # The budget is the key's, whatever the route: the other inbound APIs are refused too.
    with pytest.raises(anthropic.RateLimitError) as refused:
        Anthropic(base_url=budgeted.root, api_key=KEY, max_retries=0, timeout=20).messages.create(
            model="ant:claude-3-5-haiku-latest", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert refused.value.body["error"]["type"] == "rate_limit_error"
    with pytest.raises(openai.RateLimitError):
        client.responses.create(model="oai:gpt-4o-mini", input="hi")


def test_messages_and_responses_spend_the_budget(budgeted):
    anthropic_client = Anthropic(base_url=budgeted.root, api_key=KEY, max_retries=0, timeout=20)
    openai_client = OpenAI(base_url=budgeted.v1, api_key=KEY, max_retries=0, timeout=20)
    words = " ".join(["word"] * 12)
    with pytest.raises((anthropic.RateLimitError, openai.RateLimitError)):
        for _ in range(10):
            anthropic_client.messages.create(model="ant:claude-3-5-haiku-latest", max_tokens=20,
                                             messages=[{"role": "user", "content": words}])
            openai_client.responses.create(model="oai:gpt-4o-mini", input=words, max_output_tokens=20)


def metrics_of(agentd):
    with urllib.request.urlopen(agentd.root + "/metrics", timeout=5) as response:
        return response.read().decode()


def input_tokens_of(metrics, provider):
    """agentd_llm_tokens_total of the provider's input, over its models (unknown model names are one label)."""
    pattern = r'^agentd_llm_tokens_total\{provider="%s",model="[^"]*",type="input"\} (\d+)' % provider
    return sum(int(value) for value in re.findall(pattern, metrics, re.MULTILINE))


def test_metrics_count_each_route(agentd):
    anthropic_client = Anthropic(base_url=agentd.root, api_key="unused", max_retries=0, timeout=20)
    client = OpenAI(base_url=agentd.v1, api_key="unused", max_retries=0, timeout=20)
    anthropic_client.messages.count_tokens(model="ant:claude-3-5-haiku-latest",
                                           messages=[{"role": "user", "content": "hi"}])
    client.responses.create(model="oai:gpt-4o-mini", input="metered")
    anthropic_client.messages.create(model="ant:claude-3-5-haiku-latest", max_tokens=10,
                                     messages=[{"role": "user", "content": "metered"}])
    before = input_tokens_of(metrics_of(agentd), "oai")
    embedded = client.embeddings.create(model="oai:text-embedding-3-small", input="metered text here")
    metrics = metrics_of(agentd)
    for route in ["/v1/messages", "/v1/messages/count_tokens", "/v1/responses", "/v1/embeddings"]:
        assert re.search(r'agentd_http_requests_total\{route="%s",method="POST",code="200"\} [1-9]' % re.escape(route),
                         metrics), route
    assert input_tokens_of(metrics, "oai") - before == embedded.usage.prompt_tokens


def upstream_calls(mock_port, path):
    return mock_stats(mock_port)["requests_by_path"].get(path, 0)


def test_response_cache(start_agentd, mock_port):
    """With AGENTD_CACHE_TTL_S, an identical Messages call is answered from the cache, one that differs in a field
    passed through (top_k) is not; a cached Responses answer is still a response of its own (its id continues)."""
    server = start_agentd(AGENTD_CACHE_TTL_S=60)
    anthropic_client = Anthropic(base_url=server.root, api_key="unused", max_retries=0, timeout=20)
    request = dict(model="ant:claude-3-5-haiku-latest", max_tokens=10,
                   messages=[{"role": "user", "content": "cache me please"}])
    before = upstream_calls(mock_port, "/v1/messages")
    first = anthropic_client.messages.create(**request)
    again = anthropic_client.messages.create(**request)
    assert again.content[0].text == first.content[0].text == "echo: cache me please"
    assert upstream_calls(mock_port, "/v1/messages") == before + 1
    anthropic_client.messages.create(**request, extra_body={"top_k": 5})
    assert upstream_calls(mock_port, "/v1/messages") == before + 2

    client = OpenAI(base_url=server.v1, api_key="unused", max_retries=0, timeout=20)
    one = client.responses.create(model="oai:gpt-4o-mini", input="cache this response")
    two = client.responses.create(model="oai:gpt-4o-mini", input="cache this response")
    assert one.output_text == two.output_text
    assert one.id != two.id
    assert client.responses.create(model="oai:gpt-4o-mini", input="next", previous_response_id=two.id).output_text \
        == "echo: next"


@pytest.mark.parametrize("model", ["ant:claude-3-5-haiku-latest", "oai:gpt-4o-mini"])
def test_upstream_429_is_retried(agentd, mock_port, model):
    """The new routes run through the same retries: one 429 (Retry-After: 1) from the upstream, then the answer."""
    scenario = f"inbound-retry-{uuid.uuid4().hex}"
    tagged = f"{model}?fault=429&times=1&scenario={scenario}"
    message = Anthropic(base_url=agentd.root, api_key="unused", max_retries=0, timeout=20).messages.create(
        model=tagged, max_tokens=10, messages=[{"role": "user", "content": "retry me"}])
    assert message.content[0].text == "echo: retry me"
    assert mock_stats(mock_port)["requests_by_scenario"][scenario] == 2
    scenario = f"inbound-retry-{uuid.uuid4().hex}"
    response = OpenAI(base_url=agentd.v1, api_key="unused", max_retries=0, timeout=20).responses.create(
        model=f"{model}?fault=429&times=1&scenario={scenario}", input="retry me")
    assert response.output_text == "echo: retry me"
    assert mock_stats(mock_port)["requests_by_scenario"][scenario] == 2
