"""The official Anthropic Python SDK, unmodified, against agentd's root URL (POST /v1/messages and
/v1/messages/count_tokens): non-stream, stream, a tool round trip and the SDK's exceptions, on an Anthropic-kind
upstream (passed through) and an OpenAI-kind one (translated both ways)."""
import json

import anthropic
import pytest
from anthropic import Anthropic
from conftest import mock_stats, wait_for_cancelled_stream

MODELS = ["ant:claude-3-5-haiku-latest", "oai:gpt-4o-mini"]
TOOL_MODELS = ["ant:claude-3-5-haiku-latest?tool=1", "oai:gpt-4o-mini?tool=1"]

TOOLS = [{
    "name": "lookup",
    "description": "Look something up",
    "input_schema": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
}]


@pytest.fixture
def client(agentd_root):
    return Anthropic(base_url=agentd_root, api_key="unused", max_retries=0, timeout=20)


def text_of(message):
    return "".join(block.text for block in message.content if block.type == "text")


@pytest.mark.parametrize("model", MODELS)
def test_create(client, model):
    message = client.messages.create(
        model=model, max_tokens=100, system="be brief", messages=[{"role": "user", "content": "hello sdk"}])
    assert message.type == "message"
    assert message.role == "assistant"
    assert message.id
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == "echo: hello sdk"
    assert message.stop_reason == "end_turn"
    assert message.usage.input_tokens > 0
    assert message.usage.output_tokens > 0


@pytest.mark.parametrize("model", MODELS)
def test_content_blocks_and_conversation(client, model):
    """Text blocks in and a multi-turn history: the answer echoes the last user turn."""
    message = client.messages.create(
        model=model, max_tokens=100, system=[{"type": "text", "text": "be brief"}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "first question"}]},
                  {"role": "assistant", "content": [{"type": "text", "text": "first answer"}]},
                  {"role": "user", "content": [{"type": "text", "text": "second question"}]}])
    assert text_of(message) == "echo: second question"
    assert message.stop_reason == "end_turn"


@pytest.mark.parametrize("model", MODELS)
def test_max_tokens_stop_reason(client, model):
    message = client.messages.create(
        model=model, max_tokens=2, messages=[{"role": "user", "content": "a long enough question"}])
    assert text_of(message) == "echo: a"
    assert message.stop_reason == "max_tokens"


@pytest.mark.parametrize("model", MODELS)
def test_stream_matches_create(client, model):
    messages = [{"role": "user", "content": "stream three words"}]
    whole = client.messages.create(model=model, max_tokens=100, messages=messages)
    with client.messages.stream(model=model, max_tokens=100, messages=messages) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert text == text_of(whole) == "echo: stream three words"
    assert text_of(final) == text
    assert final.stop_reason == "end_turn"
    assert final.usage.input_tokens > 0
    assert final.usage.output_tokens > 0


@pytest.mark.parametrize("model", MODELS)
def test_stream_event_sequence(client, model):
    """Anthropic's event order: message_start, content_block_start, deltas, content_block_stop, message_delta,
    message_stop (pings anywhere)."""
    events = list(client.messages.create(
        model=model, max_tokens=100, stream=True, messages=[{"role": "user", "content": "one two three four"}]))
    kinds = [event.type for event in events if event.type != "ping"]
    assert kinds[0] == "message_start"
    assert kinds[1] == "content_block_start"
    assert kinds[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert set(kinds[2:-3]) == {"content_block_delta"}
    assert events[0].message.role == "assistant"
    assert events[0].message.content == []
    deltas = [event.delta for event in events if event.type == "content_block_delta"]
    assert {delta.type for delta in deltas} == {"text_delta"}
    assert "".join(delta.text for delta in deltas) == "echo: one two three four"
    end = next(event for event in events if event.type == "message_delta")
    assert end.delta.stop_reason == "end_turn"
    assert end.usage.output_tokens > 0


def tool_use_of(message):
    blocks = [block for block in message.content if block.type == "tool_use"]
    assert len(blocks) == 1, message
    return blocks[0]


@pytest.mark.parametrize("stream", [False, True], ids=["create", "stream"])
@pytest.mark.parametrize("model", TOOL_MODELS)
def test_tool_round_trip(client, model, stream):
    """The model asks for the tool (a tool_use block, stop_reason tool_use), the client sends a tool_result back,
    the model answers with text. Streamed, the SDK puts the input together from input_json_delta events."""
    def ask(messages):
        if not stream:
            return client.messages.create(model=model, max_tokens=100, tools=TOOLS, messages=messages)
        with client.messages.stream(model=model, max_tokens=100, tools=TOOLS, messages=messages) as events:
            kinds = [event.type for event in events]
            final = events.get_final_message()
        if final.stop_reason == "tool_use":
            assert "input_json" in kinds, kinds
        return final

    messages = [{"role": "user", "content": "find the weather in Oslo"}]
    first = ask(messages)
    assert first.stop_reason == "tool_use"
    call = tool_use_of(first)
    assert call.name == "lookup"
    assert call.id
    assert call.input == {"query": "find the weather in Oslo"}
    messages.append({"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]})
    messages.append({"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": call.id, "content": "sunny, 21 C"}]})
    final = ask(messages)
    assert text_of(final) == "tool said: sunny, 21 C"
    assert final.stop_reason == "end_turn"


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_tool_choice_and_result_blocks(client, model):
    """tool_choice is accepted, and a tool_result whose content is text blocks reads like a string one."""
    first = client.messages.create(
        model=model, max_tokens=100, tools=TOOLS, tool_choice={"type": "any"},
        messages=[{"role": "user", "content": "look up cats"}])
    call = tool_use_of(first)
    final = client.messages.create(
        model=model, max_tokens=100, tools=TOOLS, tool_choice={"type": "auto"},
        messages=[{"role": "user", "content": "look up cats"},
                  {"role": "assistant", "content": [{"type": "tool_use", "id": call.id, "name": call.name,
                                                     "input": call.input}]},
                  {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id,
                                                "content": [{"type": "text", "text": "cats purr"}]}]}])
    assert text_of(final) == "tool said: cats purr"


def test_missing_max_tokens_is_a_bad_request(client):
    with pytest.raises(anthropic.BadRequestError) as error:
        client.messages.create(model="ant:claude-3-5-haiku-latest", max_tokens=anthropic.omit,
                               messages=[{"role": "user", "content": "x"}])
    assert error.value.body["type"] == "error"
    assert error.value.body["error"]["type"] == "invalid_request_error"
    assert "max_tokens" in error.value.body["error"]["message"]


def test_unknown_provider_is_a_bad_request(client):
    with pytest.raises(anthropic.BadRequestError) as error:
        client.messages.create(model="nowhere:model", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert error.value.body["error"]["type"] == "invalid_request_error"
    assert "unknown provider" in error.value.body["error"]["message"]


@pytest.mark.parametrize("model", ["ant:m?fault=400", "oai:m?fault=400"])
def test_upstream_failure_is_a_502(client, model):
    with pytest.raises(anthropic.APIStatusError) as error:
        client.messages.create(model=model, max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert error.value.status_code == 502
    assert error.value.body["type"] == "error"


def test_api_keys(start_agentd):
    """With AGENTD_API_KEYS: the SDK's x-api-key and Bearer (auth_token) both work; a wrong key is a 401."""
    server = start_agentd(AGENTD_API_KEYS="anthropic-sdk-key")
    request = dict(model="ant:claude-3-5-haiku-latest", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    assert text_of(Anthropic(base_url=server.root, api_key="anthropic-sdk-key", max_retries=0,
                             timeout=20).messages.create(**request)) == "echo: hi"
    assert text_of(Anthropic(base_url=server.root, auth_token="anthropic-sdk-key", max_retries=0,
                             timeout=20).messages.create(**request)) == "echo: hi"
    with pytest.raises(anthropic.AuthenticationError) as error:
        Anthropic(base_url=server.root, api_key="wrong-key", max_retries=0, timeout=20).messages.create(**request)
    assert error.value.body["type"] == "error"
    assert error.value.body["error"]["type"] == "authentication_error"


def test_count_tokens_on_an_anthropic_upstream(client):
    count = client.messages.count_tokens(
        model="ant:claude-3-5-haiku-latest", system="be brief", tools=TOOLS,
        messages=[{"role": "user", "content": "how many tokens is this?"}])
    assert count.input_tokens > 0



@pytest.mark.parametrize("model", MODELS)
def test_fields_real_clients_send(client, model):
    """What Claude Code and other clients send besides the basics: cache_control on system and message blocks,
    metadata, top_p/top_k, stop_sequences, an anthropic-beta header, a tool_result marked is_error."""
    message = client.messages.create(
        model=model, max_tokens=100, stop_sequences=["\n\nHuman:"],
        metadata={"user_id": "user-1"}, extra_headers={"anthropic-beta": "prompt-caching-2024-07-31"},
        # This SDK's create() has no sampling keywords any more; older ones and other clients still send them.
        extra_body={"temperature": 0.5, "top_p": 0.9, "top_k": 40},
        system=[{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": [
            {"type": "text", "text": "cached question", "cache_control": {"type": "ephemeral"}}]}])
    assert text_of(message) == "echo: cached question"


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_tool_result_marked_as_an_error(client, model):
    first = client.messages.create(model=model, max_tokens=100, tools=TOOLS,
                                   messages=[{"role": "user", "content": "look up dogs"}])
    call = tool_use_of(first)
    final = client.messages.create(model=model, max_tokens=100, tools=TOOLS, messages=[
        {"role": "user", "content": "look up dogs"},
        {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "is_error": True,
                                      "content": "lookup failed"}]}])
    # Translated for an OpenAI-kind upstream (which has no is_error), the flag may become a prefix of the content.
    assert text_of(final) in ("tool said: lookup failed", "tool said: error: lookup failed")


@pytest.mark.parametrize("model", ["ant:claude-3-5-haiku-latest?fault=reset&chunks=8",
                                   "oai:gpt-4o-mini?fault=reset&chunks=8"])
def test_upstream_failing_mid_stream_raises(client, model):
    """The upstream dies after half the text: the stream ends with Anthropic's error event, which the SDK raises;
    it never looks like a finished message."""
    with pytest.raises(anthropic.APIStatusError) as error:
        with client.messages.stream(model=model, max_tokens=100, messages=[
                {"role": "user", "content": "one two three four five six seven eight"}]) as stream:
            for _ in stream.text_stream:
                pass
    assert error.value.body["type"] == "error"


def test_rate_limited(start_agentd):
    server = start_agentd(AGENTD_RATE_LIMIT_RPS=0.01, AGENTD_RATE_LIMIT_BURST=1)
    client = Anthropic(base_url=server.root, api_key="unused", max_retries=0, timeout=20)
    request = dict(model="ant:claude-3-5-haiku-latest", max_tokens=10, messages=[{"role": "user", "content": "hi"}])
    client.messages.create(**request)
    with pytest.raises(anthropic.RateLimitError) as error:
        client.messages.create(**request)
    assert error.value.body["error"]["type"] == "rate_limit_error"
    assert int(error.value.response.headers["retry-after"]) >= 1


@pytest.mark.parametrize("model", MODELS)
def test_empty_messages_is_a_bad_request(client, model):
    """The client's mistake is a 400, not an upstream failure (a 5xx the SDK would retry)."""
    with pytest.raises(anthropic.BadRequestError) as error:
        client.messages.create(model=model, max_tokens=10, messages=[])
    assert "messages" in error.value.body["error"]["message"]


TRICKY = 'say "hi" \\ back\nnew line\ttab \u00e9t\u00e9 \U0001F44B \u4e16\u754c </script> \u2028 end'


@pytest.mark.parametrize("model", MODELS)
def test_text_that_needs_escaping(client, model):
    """Quotes, backslashes, control characters, non-ASCII and U+2028 survive both ways, streamed and not."""
    messages = [{"role": "user", "content": TRICKY}]
    assert text_of(client.messages.create(model=model, max_tokens=100, messages=messages)) == "echo: " + TRICKY
    with client.messages.stream(model=model, max_tokens=100, messages=messages) as stream:
        assert "".join(stream.text_stream) == "echo: " + TRICKY


@pytest.mark.parametrize("model", MODELS)
def test_streamed_max_tokens(client, model):
    with client.messages.stream(model=model, max_tokens=2, messages=[
            {"role": "user", "content": "a long enough question"}]) as stream:
        final = stream.get_final_message()
    assert text_of(final) == "echo: a"
    assert final.stop_reason == "max_tokens"


@pytest.mark.parametrize("model", ["ant:claude-3-5-haiku-latest?chunks=4&chunk_delay_ms=300",
                                   "oai:gpt-4o-mini?chunks=4&chunk_delay_ms=300"])
def test_stream_is_not_buffered(client, model):
    """Text reaches the client as the upstream sends it: the first piece long before the last."""
    import time
    started = time.monotonic()
    arrivals = []
    with client.messages.stream(model=model, max_tokens=100, messages=[
            {"role": "user", "content": "one two three four five six seven"}]) as stream:
        for _ in stream.text_stream:
            arrivals.append(time.monotonic() - started)
    assert len(arrivals) >= 3
    assert arrivals[-1] - arrivals[0] >= 0.6, arrivals


def test_body_too_large_in_anthropic_format(start_agentd):
    """A prompt over AGENTD_MAX_BODY_BYTES: 413, in Anthropic's error body like every other error of the route."""
    server = start_agentd(AGENTD_MAX_BODY_BYTES=4096)
    client = Anthropic(base_url=server.root, api_key="unused", max_retries=0, timeout=20)
    with pytest.raises(anthropic.APIStatusError) as error:
        client.messages.create(model="ant:claude-3-5-haiku-latest", max_tokens=10,
                               messages=[{"role": "user", "content": "x" * 8192}])
    assert error.value.status_code == 413
    assert error.value.body.get("type") == "error", error.value.body
    assert error.value.body["error"]["type"] == "request_too_large", error.value.body


TWO_TOOLS = TOOLS + [{**TOOLS[0], "name": "weather", "description": "The weather somewhere"}]


@pytest.mark.parametrize("stream", [False, True], ids=["create", "stream"])
def test_two_tool_calls_in_one_answer(client, stream):
    """The built-in mock with "tools" in its name calls every offered tool at once: two tool_use blocks (two
    content block indexes when streamed), both results back in one user turn."""
    def ask(messages):
        if not stream:
            return client.messages.create(model="mock:echo-tools", max_tokens=100, tools=TWO_TOOLS, messages=messages)
        with client.messages.stream(model="mock:echo-tools", max_tokens=100, tools=TWO_TOOLS,
                                    messages=messages) as events:
            return events.get_final_message()

    messages = [{"role": "user", "content": "oslo"}]
    first = ask(messages)
    assert first.stop_reason == "tool_use"
    calls = [block for block in first.content if block.type == "tool_use"]
    assert [call.name for call in calls] == ["lookup", "weather"]
    assert [call.input for call in calls] == [{"query": "oslo"}, {"query": "oslo"}]
    assert calls[0].id != calls[1].id
    messages.append({"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]})
    messages.append({"role": "user", "content": [
        {"type": "tool_result", "tool_use_id": call.id, "content": f"{call.name} done"} for call in calls]})
    final = ask(messages)
    assert final.stop_reason == "end_turn"
    assert text_of(final).startswith("tool said: ")


@pytest.mark.parametrize("model", ["ant:claude-3-5-haiku-latest?chunks=50&chunk_delay_ms=200",
                                   "oai:gpt-4o-mini?chunks=50&chunk_delay_ms=200"])
def test_leaving_a_stream_cancels_the_upstream_call(client, mock_port, model):
    before = mock_stats(mock_port)["streams_cancelled"]
    words = " ".join(f"w{number}" for number in range(60))
    with client.messages.stream(model=model, max_tokens=100, messages=[{"role": "user", "content": words}]) as stream:
        for _ in stream.text_stream:
            break
    wait_for_cancelled_stream(mock_port, before)


@pytest.mark.parametrize("model", MODELS)
def test_system_prompt_reaches_the_model(client, model):
    """The mock counts the system prompt's characters in input_tokens: with one, the count grows."""
    messages = [{"role": "user", "content": "hi"}]
    plain = client.messages.create(model=model, max_tokens=10, messages=messages)
    with_system = client.messages.create(model=model, max_tokens=10, messages=messages, system="x" * 400)
    assert with_system.usage.input_tokens >= plain.usage.input_tokens + 90


def test_count_tokens_is_not_implemented_for_openai_kind(client):
    with pytest.raises(anthropic.APIStatusError) as error:
        client.messages.count_tokens(model="oai:gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
    assert error.value.status_code == 501
    assert error.value.body["type"] == "error"


def test_count_tokens_of_the_built_in_mock(client):
    """The built-in mock counts as its answers do (about four characters a token), so its count matches usage."""
    messages = [{"role": "user", "content": "x" * 400}]
    count = client.messages.count_tokens(model="mock:echo", messages=messages)
    answer = client.messages.create(model="mock:echo", max_tokens=5, messages=messages)
    assert count.input_tokens == answer.usage.input_tokens >= 100
