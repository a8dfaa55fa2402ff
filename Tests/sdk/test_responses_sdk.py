"""The official OpenAI Python SDK's Responses API (POST /v1/responses) and embeddings (POST /v1/embeddings),
unmodified, against agentd's /v1 base URL, on an OpenAI-kind and an Anthropic-kind upstream."""
import json

import openai
import pytest
from openai import OpenAI
from conftest import mock_stats, wait_for_cancelled_stream

MODELS = ["oai:gpt-4o-mini", "ant:claude-3-5-haiku-latest"]
TOOL_MODELS = ["oai:gpt-4o-mini?tool=1", "ant:claude-3-5-haiku-latest?tool=1"]

TOOLS = [{
    "type": "function",
    "name": "lookup",
    "description": "Look something up",
    "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]},
}]


@pytest.fixture
def client(agentd_url):
    return OpenAI(base_url=agentd_url, api_key="unused", max_retries=0, timeout=20)


@pytest.mark.parametrize("model", MODELS)
def test_create(client, model):
    response = client.responses.create(model=model, instructions="be brief", input="hello sdk")
    assert response.object == "response"
    assert response.id
    assert response.status == "completed"
    assert response.output_text == "echo: hello sdk"
    assert [item.type for item in response.output] == ["message"]
    message = response.output[0]
    assert message.role == "assistant"
    assert [part.type for part in message.content] == ["output_text"]
    assert response.usage.input_tokens > 0
    assert response.usage.output_tokens > 0
    assert response.usage.total_tokens == response.usage.input_tokens + response.usage.output_tokens


@pytest.mark.parametrize("model", MODELS)
def test_input_items(client, model):
    """Input as message items: easy form and typed input_text parts; the answer echoes the last user turn."""
    response = client.responses.create(model=model, input=[
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "first question"},
        {"role": "assistant", "content": "first answer"},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "second question"}]},
    ])
    assert response.output_text == "echo: second question"


@pytest.mark.parametrize("model", MODELS)
def test_max_output_tokens_is_incomplete(client, model):
    """Cut at max_output_tokens (16, OpenAI's least; the mock counts a word a token): status incomplete."""
    words = [f"w{number}" for number in range(1, 21)]
    response = client.responses.create(model=model, input=" ".join(words), max_output_tokens=16)
    assert response.output_text == "echo: " + " ".join(words[:15])
    assert response.status == "incomplete"
    assert response.incomplete_details.reason == "max_output_tokens"


TEXT_EVENTS = ["response.created", "response.in_progress", "response.output_item.added",
               "response.content_part.added", "response.output_text.delta", "response.output_text.done",
               "response.content_part.done", "response.output_item.done", "response.completed"]


def collapsed(kinds):
    """The event types with runs of the same type made one."""
    return [kind for index, kind in enumerate(kinds) if index == 0 or kinds[index - 1] != kind]


@pytest.mark.parametrize("model", MODELS)
def test_stream_events(client, model):
    whole = client.responses.create(model=model, input="stream three words")
    events = list(client.responses.create(model=model, input="stream three words", stream=True))
    kinds = [event.type for event in events]
    assert collapsed(kinds) == TEXT_EVENTS, kinds
    numbers = [event.sequence_number for event in events]
    assert numbers == sorted(set(numbers)), numbers
    deltas = [event.delta for event in events if event.type == "response.output_text.delta"]
    assert "".join(deltas) == whole.output_text == "echo: stream three words"
    done = next(event for event in events if event.type == "response.output_text.done")
    assert done.text == whole.output_text
    created, completed = events[0].response, events[-1].response
    assert created.status == "in_progress"
    assert completed.id == created.id
    assert completed.status == "completed"
    assert completed.output_text == whole.output_text
    assert completed.usage.output_tokens > 0


@pytest.mark.parametrize("model", MODELS)
def test_stream_helper(client, model):
    """The SDK's responses.stream() helper puts the final response together."""
    with client.responses.stream(model=model, input="helper words") as stream:
        text = "".join(event.delta for event in stream if event.type == "response.output_text.delta")
        final = stream.get_final_response()
    assert text == final.output_text == "echo: helper words"


def function_call_of(response):
    calls = [item for item in response.output if item.type == "function_call"]
    assert len(calls) == 1, response.output
    return calls[0]


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_function_call_round_trip_with_previous_response_id(client, model):
    first = client.responses.create(model=model, input="find the weather in Oslo", tools=TOOLS)
    call = function_call_of(first)
    assert call.name == "lookup"
    assert call.call_id
    assert json.loads(call.arguments) == {"query": "find the weather in Oslo"}
    second = client.responses.create(
        model=model, previous_response_id=first.id, tools=TOOLS,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "sunny, 21 C"}])
    assert second.output_text == "tool said: sunny, 21 C"
    assert second.previous_response_id == first.id
    assert second.id != first.id


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_function_call_round_trip_with_items(client, model):
    """Without previous_response_id: the client sends the whole history as items (as the Agents SDK does)."""
    history = [{"role": "user", "content": "look up cats"}]
    first = client.responses.create(model=model, input=history, tools=TOOLS, store=False)
    call = function_call_of(first)
    history += [{"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments},
                {"type": "function_call_output", "call_id": call.call_id, "output": "cats purr"}]
    final = client.responses.create(model=model, input=history, tools=TOOLS, store=False)
    assert final.output_text == "tool said: cats purr"


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_streamed_function_call(client, model):
    events = list(client.responses.create(model=model, input="look up cats", tools=TOOLS, stream=True))
    kinds = collapsed([event.type for event in events])
    assert kinds == ["response.created", "response.in_progress", "response.output_item.added",
                     "response.function_call_arguments.delta", "response.function_call_arguments.done",
                     "response.output_item.done", "response.completed"], kinds
    arguments = "".join(event.delta for event in events if event.type == "response.function_call_arguments.delta")
    assert json.loads(arguments) == {"query": "look up cats"}
    added = next(event for event in events if event.type == "response.output_item.added")
    assert added.item.type == "function_call" and added.item.name == "lookup"
    item = next(event for event in events if event.type == "response.output_item.done").item
    assert item.type == "function_call"
    assert item.call_id == added.item.call_id
    assert json.loads(item.arguments) == {"query": "look up cats"}
    assert function_call_of(events[-1].response).call_id == item.call_id


@pytest.mark.parametrize("model", MODELS)
def test_previous_response_id_keeps_the_conversation(client, model):
    """The second turn carries the first's input and answer upstream: more input tokens than the same text alone."""
    first = client.responses.create(model=model, input="remember the number forty-two")
    second = client.responses.create(model=model, previous_response_id=first.id, input="which number?")
    alone = client.responses.create(model=model, input="which number?")
    assert second.output_text == alone.output_text == "echo: which number?"
    assert second.usage.input_tokens > alone.usage.input_tokens


def test_unknown_previous_response_id_is_a_bad_request(client):
    with pytest.raises(openai.BadRequestError) as error:
        client.responses.create(model="oai:gpt-4o-mini", previous_response_id="resp_nowhere123", input="x")
    assert "resp_nowhere123" in str(error.value)


def test_store_false_is_not_kept(client):
    unstored = client.responses.create(model="oai:gpt-4o-mini", input="forget me", store=False)
    assert unstored.output_text == "echo: forget me"
    with pytest.raises(openai.BadRequestError) as error:
        client.responses.create(model="oai:gpt-4o-mini", previous_response_id=unstored.id, input="x")
    assert unstored.id in str(error.value)


@pytest.mark.parametrize("tool", [{"type": "web_search"}, {"type": "file_search", "vector_store_ids": ["vs_1"]}])
def test_unsupported_built_in_tool_is_a_bad_request(client, tool):
    with pytest.raises(openai.BadRequestError) as error:
        client.responses.create(model="oai:gpt-4o-mini", input="x", tools=[tool])
    assert tool["type"] in str(error.value)


def test_unknown_provider_is_a_bad_request(client):
    with pytest.raises(openai.BadRequestError) as error:
        client.responses.create(model="nowhere:model", input="x")
    assert "unknown provider" in str(error.value)


@pytest.mark.parametrize("encoding", ["default", "float"])
def test_embeddings(client, encoding):
    """The SDK asks for base64 unless told otherwise and decodes it; both come back as float vectors."""
    extra = {} if encoding == "default" else {"encoding_format": "float"}
    result = client.embeddings.create(model="oai:text-embedding-3-small", input=["a", "b"], **extra)
    assert result.object == "list"
    assert [item.index for item in result.data] == [0, 1]
    for item in result.data:
        assert item.object == "embedding"
        assert len(item.embedding) > 0
        assert all(isinstance(value, float) for value in item.embedding)
    assert len(result.data[0].embedding) == len(result.data[1].embedding)
    assert result.usage.prompt_tokens > 0


def test_embeddings_on_an_anthropic_upstream_is_a_bad_request(client):
    with pytest.raises(openai.BadRequestError):
        client.embeddings.create(model="ant:claude-3-5-haiku-latest", input=["a", "b"])


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_tool_choice_and_strict_tools(client, model):
    """What the Agents SDK and others send with tools: strict schemas, tool_choice naming the function,
    parallel_tool_calls, an empty include."""
    tools = [{**TOOLS[0], "strict": True,
              "parameters": {**TOOLS[0]["parameters"], "additionalProperties": False}}]
    response = client.responses.create(
        model=model, input="look up owls", tools=tools, tool_choice={"type": "function", "name": "lookup"},
        parallel_tool_calls=False, include=[])
    assert json.loads(function_call_of(response).arguments) == {"query": "look up owls"}


@pytest.mark.parametrize("model", MODELS)
def test_output_items_sent_back_as_input(client, model):
    """A client that keeps the history itself sends the earlier output items back as they came (ids, status,
    output_text parts with annotations)."""
    first = client.responses.create(model=model, input="first question", store=False)
    history = [{"role": "user", "content": "first question"}]
    history += [item.model_dump(exclude_none=True) for item in first.output]
    history.append({"role": "user", "content": "second question"})
    second = client.responses.create(model=model, input=history, store=False)
    assert second.output_text == "echo: second question"


@pytest.mark.parametrize("model", ["oai:gpt-4o-mini?fault=reset&chunks=8", "ant:claude-3-5-haiku-latest?fault=reset&chunks=8"])
def test_upstream_failing_mid_stream(client, model):
    """The upstream dies after half the text: the stream ends with response.failed (or an error event), never
    response.completed."""
    events = []
    try:
        for event in client.responses.create(model=model, stream=True,
                                             input="one two three four five six seven eight"):
            events.append(event)
    except openai.APIError:
        pass
    kinds = [event.type for event in events]
    assert "response.completed" not in kinds, kinds
    assert kinds and kinds[-1] in ("response.failed", "error"), kinds


def test_previous_response_of_another_key_is_refused(start_agentd):
    server = start_agentd(AGENTD_API_KEYS="key-one,key-two")
    one = OpenAI(base_url=server.v1, api_key="key-one", max_retries=0, timeout=20)
    two = OpenAI(base_url=server.v1, api_key="key-two", max_retries=0, timeout=20)
    first = one.responses.create(model="oai:gpt-4o-mini", input="mine")
    assert one.responses.create(model="oai:gpt-4o-mini", previous_response_id=first.id, input="x").output_text
    with pytest.raises(openai.BadRequestError) as error:
        two.responses.create(model="oai:gpt-4o-mini", previous_response_id=first.id, input="x")
    assert first.id in str(error.value)


def test_rate_limited(start_agentd):
    server = start_agentd(AGENTD_RATE_LIMIT_RPS=0.01, AGENTD_RATE_LIMIT_BURST=1)
    client = OpenAI(base_url=server.v1, api_key="unused", max_retries=0, timeout=20)
    client.responses.create(model="oai:gpt-4o-mini", input="hi")
    with pytest.raises(openai.RateLimitError) as error:
        client.responses.create(model="oai:gpt-4o-mini", input="hi")
    assert int(error.value.response.headers["retry-after"]) >= 1


@pytest.mark.parametrize("model", ["oai:text-embedding-3-small", "mock:embed"])
def test_embeddings_of_one_string_with_dimensions(client, model):
    result = client.embeddings.create(model=model, input="one string", dimensions=4, encoding_format="float")
    assert len(result.data) == 1
    assert len(result.data[0].embedding) == 4


@pytest.mark.parametrize("model", TOOL_MODELS)
def test_streamed_response_is_kept_for_previous_response_id(client, model):
    """A streamed response is stored like a plain one: its id continues the exchange (the Agents SDK streams and
    chains this way)."""
    events = list(client.responses.create(model=model, input="look up bats", tools=TOOLS, stream=True))
    first = events[-1].response
    call = function_call_of(first)
    second = client.responses.create(
        model=model, previous_response_id=first.id, tools=TOOLS, stream=True,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "bats sleep"}])
    final = [event for event in second][-1]
    assert final.type == "response.completed"
    assert final.response.output_text == "tool said: bats sleep"


TRICKY = 'say "hi" \\ back\nnew line\ttab \u00e9t\u00e9 \U0001F44B \u4e16\u754c </script> \u2028 end'


@pytest.mark.parametrize("model", MODELS)
def test_text_that_needs_escaping(client, model):
    """Quotes, backslashes, control characters, non-ASCII and U+2028 survive both ways, streamed and not."""
    assert client.responses.create(model=model, input=TRICKY).output_text == "echo: " + TRICKY
    events = list(client.responses.create(model=model, input=TRICKY, stream=True))
    assert "".join(event.delta for event in events if event.type == "response.output_text.delta") == "echo: " + TRICKY
    assert events[-1].response.output_text == "echo: " + TRICKY


@pytest.mark.parametrize("model", MODELS)
def test_streamed_max_output_tokens_ends_incomplete(client, model):
    """OpenAI ends a stream cut at max_output_tokens with response.incomplete, not response.completed."""
    words = [f"w{number}" for number in range(1, 21)]
    events = list(client.responses.create(model=model, input=" ".join(words), max_output_tokens=16, stream=True))
    assert events[-1].type == "response.incomplete", [event.type for event in events][-3:]
    assert events[-1].response.status == "incomplete"
    assert events[-1].response.incomplete_details.reason == "max_output_tokens"


@pytest.mark.parametrize("model", ["oai:gpt-4o-mini?chunks=4&chunk_delay_ms=300",
                                   "ant:claude-3-5-haiku-latest?chunks=4&chunk_delay_ms=300"])
def test_stream_is_not_buffered(client, model):
    import time
    started = time.monotonic()
    arrivals = [time.monotonic() - started
                for event in client.responses.create(model=model, input="one two three four five six", stream=True)
                if event.type == "response.output_text.delta"]
    assert len(arrivals) >= 3
    assert arrivals[-1] - arrivals[0] >= 0.6, arrivals


TWO_TOOLS = TOOLS + [{**TOOLS[0], "name": "weather", "description": "The weather somewhere"}]


def test_two_function_calls_in_one_response(client):
    """The built-in mock with "tools" in its name calls every offered tool at once: two function_call items (two
    output indexes when streamed), both outputs back through previous_response_id."""
    events = list(client.responses.create(model="mock:echo-tools", input="oslo", tools=TWO_TOOLS, stream=True))
    added = [event for event in events if event.type == "response.output_item.added"]
    assert [(event.output_index, event.item.name) for event in added] == [(0, "lookup"), (1, "weather")]
    numbers = [event.sequence_number for event in events]
    assert numbers == sorted(set(numbers))
    first = events[-1].response
    calls = [item for item in first.output if item.type == "function_call"]
    assert [call.name for call in calls] == ["lookup", "weather"]
    assert len({call.call_id for call in calls}) == 2
    final = client.responses.create(model="mock:echo-tools", previous_response_id=first.id, tools=TWO_TOOLS, input=[
        {"type": "function_call_output", "call_id": call.call_id, "output": f"{call.name} done"} for call in calls])
    assert final.output_text.startswith("tool said: ")


@pytest.mark.parametrize("model", ["oai:gpt-4o-mini?chunks=50&chunk_delay_ms=200",
                                   "ant:claude-3-5-haiku-latest?chunks=50&chunk_delay_ms=200"])
def test_leaving_a_stream_cancels_the_upstream_call(client, mock_port, model):
    before = mock_stats(mock_port)["streams_cancelled"]
    words = " ".join(f"w{number}" for number in range(60))
    stream = client.responses.create(model=model, input=words, stream=True)
    for event in stream:
        if event.type == "response.output_text.delta":
            break
    stream.close()
    wait_for_cancelled_stream(mock_port, before)


@pytest.mark.parametrize("model", MODELS)
def test_instructions_reach_the_model_and_are_not_carried_over(client, model):
    """instructions count in input_tokens; with previous_response_id the earlier response's instructions are not
    carried over (OpenAI: "the instructions from a previous response will not be carried over")."""
    plain = client.responses.create(model=model, input="hi")
    instructed = client.responses.create(model=model, input="hi", instructions="x" * 400)
    assert instructed.usage.input_tokens >= plain.usage.input_tokens + 90
    after_plain = client.responses.create(model=model, input="again", previous_response_id=plain.id)
    after_instructed = client.responses.create(model=model, input="again", previous_response_id=instructed.id)
    assert after_instructed.usage.input_tokens == after_plain.usage.input_tokens


@pytest.mark.parametrize("field, value", [
    ("background", True),
    ("conversation", "conv_123"),
    ("prompt", {"id": "pmpt_123"}),
])
def test_unsupported_features_are_refused_by_name(client, field, value):
    """A feature agentd does not carry out is a 400 naming it, never silently dropped (a conversation's history
    or a response format the caller relies on)."""
    with pytest.raises(openai.BadRequestError) as error:
        client.responses.create(model="oai:gpt-4o-mini", input="x", extra_body={field: value})
    assert field in str(error.value)


def test_structured_output_on_an_openai_kind_model(client):
    """text.format json_schema reaches the model as Chat Completions' response_format (the built-in mock answers
    the schema's smallest instance); an Anthropic-kind model refuses it with a 400 naming structured output."""
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
              "required": ["city", "days"], "additionalProperties": False}
    answer = client.responses.create(model="mock:echo", input="paris",
                                     text={"format": {"type": "json_schema", "name": "trip", "schema": schema,
                                                      "strict": True}})
    assert json.loads(answer.output_text) == {"city": "paris", "days": 0}
    assert answer.text.format.type == "json_schema"
    with pytest.raises(openai.BadRequestError) as error:
        client.responses.create(model="ant:claude-3-5-haiku-latest", input="paris",
                                text={"format": {"type": "json_object"}})
    assert "structured output" in str(error.value)
