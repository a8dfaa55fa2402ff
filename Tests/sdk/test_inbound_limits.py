"""The new inbound APIs go through the same protection and metering as chat: a key's daily token budget refuses
embeddings, Messages and Responses calls with the SDKs' RateLimitError, and /metrics counts each route."""
import re
import urllib.request

import anthropic
import openai
import pytest
from anthropic import Anthropic
from openai import OpenAI

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
