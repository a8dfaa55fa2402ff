"""The official OpenAI Python SDK, unmodified, against agentd's /v1 base URL: non-stream, stream, and a
tool-calling agent loop, on an OpenAI-kind and an Anthropic-kind provider."""
import json

import openai
import pytest
from openai import OpenAI

MODELS = ["oai:gpt-4o-mini", "ant:claude-3-5-haiku-latest", "mock:echo"]

TOOLS = [{
    "type": "function",
    "function": {
        "name": "lookup",
        "description": "Look something up",
        "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
    },
}]


@pytest.fixture
def client(agentd_url):
    return OpenAI(base_url=agentd_url, api_key="unused", max_retries=0, timeout=20)


@pytest.mark.parametrize("model", MODELS)
def test_non_stream(client, model):
    completion = client.chat.completions.create(
        model=model, messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": "hello sdk"}])
    assert completion.object == "chat.completion"
    assert completion.choices[0].message.role == "assistant"
    assert completion.choices[0].message.content == "echo: hello sdk"
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage.prompt_tokens > 0
    assert completion.usage.completion_tokens > 0
    assert completion.usage.total_tokens == completion.usage.prompt_tokens + completion.usage.completion_tokens


@pytest.mark.parametrize("model", MODELS)
def test_stream_with_usage(client, model):
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "stream three words"}], stream=True,
        stream_options={"include_usage": True})
    pieces, finish, usage = [], None, None
    for chunk in stream:
        assert chunk.object == "chat.completion.chunk"
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
            finish = chunk.choices[0].finish_reason or finish
        if chunk.usage:
            usage = chunk.usage
    assert "".join(pieces) == "echo: stream three words"
    assert finish == "stop"
    assert usage is not None and usage.completion_tokens > 0


@pytest.mark.parametrize("model", ["oai:gpt-4o-mini?tool=1", "ant:claude-3-5-haiku-latest?tool=1", "mock:echo-tool"])
def test_tool_calling_loop(client, model):
    """The model asks for a tool, the client runs it and answers, the model finishes."""
    messages = [{"role": "user", "content": "find the weather in Oslo"}]
    first = client.chat.completions.create(model=model, messages=messages, tools=TOOLS)
    assert first.choices[0].finish_reason == "tool_calls"
    call = first.choices[0].message.tool_calls[0]
    assert call.function.name == "lookup"
    assert json.loads(call.function.arguments) == {"query": "find the weather in Oslo"}
    messages.append(first.choices[0].message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": "sunny, 21 C"})
    final = client.chat.completions.create(model=model, messages=messages, tools=TOOLS)
    assert final.choices[0].message.content == "tool said: sunny, 21 C"
    assert final.choices[0].finish_reason == "stop"


@pytest.mark.parametrize("model", ["oai:gpt-4o-mini?tool=1", "ant:claude-3-5-haiku-latest?tool=1"])
def test_streamed_tool_call_arguments(client, model):
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "look up cats"}], tools=TOOLS, stream=True)
    name, arguments, finish = None, "", None
    for chunk in stream:
        if not chunk.choices:
            continue
        for call in chunk.choices[0].delta.tool_calls or []:
            name = call.function.name or name
            arguments += call.function.arguments or ""
        finish = chunk.choices[0].finish_reason or finish
    assert name == "lookup"
    assert json.loads(arguments) == {"query": "look up cats"}
    assert finish == "tool_calls"


def test_models_list(client):
    ids = [model.id for model in client.models.list()]
    assert "mock:echo" in ids


def test_errors_raise_the_sdk_exceptions(client):
    with pytest.raises(openai.BadRequestError) as error:
        client.chat.completions.create(model="nowhere:model", messages=[{"role": "user", "content": "x"}])
    assert "unknown provider" in str(error.value)
    with pytest.raises(openai.APIStatusError) as upstream:
        client.chat.completions.create(model="oai:m?fault=400", messages=[{"role": "user", "content": "x"}])
    assert upstream.value.status_code == 502
