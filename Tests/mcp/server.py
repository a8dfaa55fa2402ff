"""An MCP server for agentd's tests (the official MCP Python SDK, version 2, Streamable HTTP).

    python server.py PORT sse|json [stateless]

sse: answers in SSE streams, with sessions (Mcp-Session-Id); json: plain JSON answers; stateless: no sessions.
Every tool takes {"query": string}, the arguments agentd's mock models send to the first tool offered:
lookup (answers), broken (an isError result), slow (answers after 3 s), shout (answers in capitals), grow (adds
the tool "fresh" and tells the client its tool list changed), traced (answers with the traceparent it was sent).
"""
import asyncio
import sys

from mcp.server.mcpserver import Context, MCPServer

port, mode = int(sys.argv[1]), sys.argv[2]
stateless = len(sys.argv) > 3 and sys.argv[3] == "stateless"
server = MCPServer("agentd-test")


@server.tool()
def lookup(query: str) -> str:
    """Looks the query up."""
    return f"mcp found: {query}"


@server.tool()
def broken(query: str) -> str:
    """Always fails."""
    raise ValueError(f"failed on purpose: {query}")


@server.tool()
async def slow(query: str) -> str:
    """Answers after three seconds."""
    await asyncio.sleep(3)
    return "slow done"


@server.tool()
def shout(query: str) -> str:
    """Says the query in capitals."""
    return query.upper()


@server.tool()
def traced(query: str, ctx: Context) -> str:
    """Answers with the W3C traceparent header of the request that called it."""
    request = ctx.request_context.request
    return f"traceparent: {request.headers.get('traceparent') if request is not None else None}"


def fresh(query: str) -> str:
    """A tool that appeared later."""
    return f"fresh: {query}"


@server.tool()
async def grow(query: str, ctx: Context) -> str:
    """Adds the tool fresh."""
    server.add_tool(fresh)
    await ctx.session.send_tool_list_changed()
    return "grown"


server.run(transport="streamable-http", host="127.0.0.1", port=port, json_response=(mode == "json"), stateless_http=stateless)
