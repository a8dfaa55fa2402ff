"""The OpenAI Agents SDK (openai-agents), unmodified, with its default model (the Responses API) pointed at
agentd's /v1: an agent with one function tool, on an OpenAI-kind and an Anthropic-kind upstream whose mock
model calls the tool once, run to its final text, plainly and streamed."""
import asyncio

import pytest
from agents import Agent, Runner, function_tool, set_default_openai_api, set_default_openai_client, \
    set_tracing_disabled
from openai import AsyncOpenAI

MODELS = ["oai:gpt-4o-mini?tool=1", "ant:claude-3-5-haiku-latest?tool=1"]


@pytest.fixture
def weather_agent(agentd_url):
    set_tracing_disabled(True)
    set_default_openai_api("responses")
    set_default_openai_client(AsyncOpenAI(base_url=agentd_url, api_key="unused", max_retries=0, timeout=20),
                              use_for_tracing=False)
    calls = []

    @function_tool
    def lookup(query: str) -> str:
        """Look up the weather.

        Args:
            query: what to look up.
        """
        calls.append(query)
        return "sunny, 21 C"

    def make(model):
        return Agent(name="weather", instructions="Answer with the tool's findings.", model=model, tools=[lookup])

    return make, calls


@pytest.mark.parametrize("model", MODELS)
def test_agent_runs_its_tool(weather_agent, model):
    make, calls = weather_agent
    result = Runner.run_sync(make(model), "find the weather in Oslo", max_turns=4)
    assert calls == ["find the weather in Oslo"]
    assert isinstance(result.final_output, str)
    assert result.final_output == "tool said: sunny, 21 C"


@pytest.mark.parametrize("model", MODELS)
def test_streamed_agent_runs_its_tool(weather_agent, model):
    make, calls = weather_agent

    async def run():
        result = Runner.run_streamed(make(model), "find the weather in Bergen", max_turns=4)
        kinds = [event.type async for event in result.stream_events()]
        return result, kinds

    result, kinds = asyncio.run(asyncio.wait_for(run(), timeout=60))
    assert calls == ["find the weather in Bergen"]
    assert "raw_response_event" in kinds
    assert result.final_output == "tool said: sunny, 21 C"


@pytest.mark.parametrize("model", MODELS)
def test_second_turn_with_the_history(weather_agent, model):
    """The next turn sends the first run's items back (function_call with its id, the output, the answer)."""
    make, calls = weather_agent
    agent = make(model)
    first = Runner.run_sync(agent, "find the weather in Oslo", max_turns=4)
    second = Runner.run_sync(agent, first.to_input_list() + [{"role": "user", "content": "and in Tromso?"}],
                             max_turns=4)
    assert calls == ["find the weather in Oslo", "and in Tromso?"]
    assert second.final_output == "tool said: sunny, 21 C"


@pytest.mark.parametrize("model", MODELS)
def test_chained_by_previous_response_id(weather_agent, model):
    """auto_previous_response_id: after the first call the SDK sends only the new items and the previous id."""
    make, calls = weather_agent
    result = Runner.run_sync(make(model), "find the weather in Oslo", max_turns=4, auto_previous_response_id=True)
    assert calls == ["find the weather in Oslo"]
    assert result.final_output == "tool said: sunny, 21 C"
    assert result.last_response_id


@pytest.mark.parametrize("model", MODELS)
def test_chat_completions_model(weather_agent, model):
    """The SDK's other model, on /v1/chat/completions, for comparison."""
    make, calls = weather_agent
    set_default_openai_api("chat_completions")
    try:
        result = Runner.run_sync(make(model), "find the weather in Oslo", max_turns=4)
    finally:
        set_default_openai_api("responses")
    assert calls == ["find the weather in Oslo"]
    assert result.final_output == "tool said: sunny, 21 C"


@pytest.mark.parametrize("model", MODELS)
def test_streamed_and_chained(weather_agent, model):
    make, calls = weather_agent

    async def run():
        result = Runner.run_streamed(make(model), "find the weather in Narvik", max_turns=4,
                                     auto_previous_response_id=True)
        async for _ in result.stream_events():
            pass
        return result

    result = asyncio.run(asyncio.wait_for(run(), timeout=60))
    assert calls == ["find the weather in Narvik"]
    assert result.final_output == "tool said: sunny, 21 C"


def test_structured_output_type(agentd_url):
    """An agent with an output_type: the SDK asks for a strict json_schema text format and parses the answer
    into its type (the built-in mock answers the schema's smallest instance)."""
    from pydantic import BaseModel

    class Trip(BaseModel):
        city: str
        days: int

    set_tracing_disabled(True)
    set_default_openai_api("responses")
    set_default_openai_client(AsyncOpenAI(base_url=agentd_url, api_key="unused", max_retries=0, timeout=20),
                              use_for_tracing=False)
    agent = Agent(name="planner", instructions="Plan a trip.", model="mock:echo", output_type=Trip)
    result = Runner.run_sync(agent, "lisbon")
    assert result.final_output == Trip(city="lisbon", days=0)
