"""An MCP server for agentd's tests (the official MCP Python SDK, Streamable HTTP).

    python server.py PORT sse|json [stateless]

sse: answers in SSE streams with sessions (Mcp-Session-Id); json: plain JSON answers; stateless: no sessions.
Tools: add(a, b), echo(text), fail(reason) (an isError result), slow(seconds).
"""
import asyncio
import sys

from mcp.server.mcpserver import MCPServer

port, mode = int(sys.argv[1]), sys.argv[2]
stateless = len(sys.argv) > 3 and sys.argv[3] == "stateless"
server = MCPServer("agentd-test")


@server.tool()
def add(a: int, b: int) -> int:
    """Adds two whole numbers."""
    return a + b


@server.tool()
def echo(text: str) -> str:
    """Says the text back."""
    return f"echo from mcp: {text}"


@server.tool()
def fail(reason: str) -> str:
    """Always fails."""
    raise ValueError(f"failed on purpose: {reason}")


@server.tool()
async def slow(seconds: float) -> str:
    """Answers after a while."""
    await asyncio.sleep(seconds)
    return "slow done"


server.run(transport="streamable-http", host="127.0.0.1", port=port, json_response=(mode == "json"), stateless_http=stateless)
