import Foundation
import JSON

/// The OpenAPI 3.1 document of every route agentd serves, answered as is by `GET /openapi.json`.
///
/// Kept by hand, next to the code, and checked by `OpenAPIDocumentTests`: it parses, every routed method and
/// template is in `paths` and nothing else is (the document never promises a route the router lacks), and
/// every `$ref` resolves. Change it with the routes, the limits or the bodies it describes. `info.version` is
/// interpolated, so it cannot drift from `AgentdVersion.current`; the models and agents a request may name are
/// this configuration's, filled in by `rendered` when the server starts (so a tool generating requests from the
/// document sends none that the contract refuses, such as a model of a provider that is not configured).
/// Follows https://spec.openapis.org/oas/v3.1.0 (schemas are JSON Schema 2020-12).
enum OpenAPIDocument {
    static let json: String = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "agentd",
    "version": "\#(AgentdVersion.current)",
    "summary": "An HTTP service for LLM agents: chat turns, an OpenAI-compatible API, and probes.",
    "description": "All JSON bodies are UTF-8 `application/json`. Every response carries `X-Request-ID`: the client's, if it sent one of 1 to 128 visible ASCII characters, else a generated one. Errors use the body `{\"error\": {\"type\", \"message\"}, \"request_id\"}`, except on `/v1/chat/completions`, which answers OpenAI's `{\"error\": {\"message\", \"type\", \"code\", \"param\"}}`. Limits shown as `maximum`/`maxLength` are the defaults; operators change them with `AGENTD_MAX_MESSAGE_CHARS` and `AGENTD_MAX_TOKENS_PER_REQUEST`. A HEAD request is answered by the GET route of its path, without a body."
  },
  "tags": [
    {"name": "chat", "description": "One turn of a conversation with an agent."},
    {
      "name": "openai",
      "description": "OpenAI's wire format: the official SDKs work against `base_url=http://host:port/v1`."
    },
    {
      "name": "anthropic",
      "description": "Anthropic's wire format: the official SDKs work against `base_url=http://host:port`."
    },
    {"name": "agents", "description": "The configured agent profiles."},
    {"name": "tasks", "description": "Durable background tasks: on disk before they are acknowledged."},
    {"name": "health", "description": "Probes for Kubernetes and load balancers."},
    {"name": "meta", "description": "What this server is, and this document."}
  ],
  "paths": {
    "/chat": {
      "post": {
        "tags": ["chat"],
        "operationId": "chat",
        "summary": "One chat turn, answered as JSON, or as Server-Sent Events when `stream` is true",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChatRequest"}}}
        },
        "responses": {
          "200": {
            "description": "The answer. With `\"stream\": true`, an event stream of text pieces, then `done` (or `error` if the upstream fails after the stream began).",
            "headers": {
              "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
              "Cache-Control": {"$ref": "#/components/headers/CacheControlNoCache"},
              "X-Accel-Buffering": {"$ref": "#/components/headers/XAccelBuffering"}
            },
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/ChatResponse"}},
              "text/event-stream": {"schema": {"$ref": "#/components/schemas/ChatEventStream"}}
            }
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/Limited"},
          "502": {"$ref": "#/components/responses/UpstreamError"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "504": {"$ref": "#/components/responses/UpstreamTimeout"},
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/chat/stream": {
      "post": {
        "tags": ["chat"],
        "operationId": "chatStream",
        "summary": "The same turn as `POST /chat`, always answered as Server-Sent Events",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChatRequest"}}}
        },
        "responses": {
          "200": {
            "description": "An event stream of text pieces, then `done` (or `error` if the upstream fails after the stream began).",
            "headers": {
              "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
              "Cache-Control": {"$ref": "#/components/headers/CacheControlNoCache"},
              "X-Accel-Buffering": {"$ref": "#/components/headers/XAccelBuffering"}
            },
            "content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/ChatEventStream"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/Limited"},
          "502": {"$ref": "#/components/responses/UpstreamError"},
          "503": {"$ref": "#/components/responses/Unavailable"},
          "504": {"$ref": "#/components/responses/UpstreamTimeout"},
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/v1/chat/completions": {
      "post": {
        "tags": ["openai"],
        "operationId": "createChatCompletion",
        "summary": "OpenAI-compatible chat completion, streamed or not",
        "description": "Messages, tools, `tool_choice`, `parallel_tool_calls`, assistant `tool_calls` and `tool` messages pass through to OpenAI-kind providers and are translated to and from Anthropic's `tool_use`/`tool_result` blocks. Errors use OpenAI's body, as do 404, 405, 408 and 413 on `/v1/` paths; errors answered before the path is read use agentd's.",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChatCompletionRequest"}}}
        },
        "responses": {
          "200": {
            "description": "A `chat.completion`, or with `\"stream\": true` an event stream of `chat.completion.chunk` objects ending with `data: [DONE]`.",
            "headers": {
              "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
              "Cache-Control": {"$ref": "#/components/headers/CacheControlNoCache"},
              "X-Accel-Buffering": {"$ref": "#/components/headers/XAccelBuffering"}
            },
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/ChatCompletion"}},
              "text/event-stream": {"schema": {"$ref": "#/components/schemas/ChatCompletionEventStream"}}
            }
          },
          "400": {"$ref": "#/components/responses/OpenAIBadRequest"},
          "413": {"$ref": "#/components/responses/OpenAIPayloadTooLarge"},
          "415": {"$ref": "#/components/responses/OpenAIUnsupportedMediaType"},
          "401": {"$ref": "#/components/responses/OpenAIUnauthorized"},
          "429": {"$ref": "#/components/responses/OpenAILimited"},
          "502": {"$ref": "#/components/responses/OpenAIUpstreamError"},
          "503": {"$ref": "#/components/responses/OpenAIUnavailable"},
          "504": {"$ref": "#/components/responses/OpenAIUpstreamTimeout"},
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/v1/models": {
      "get": {
        "tags": ["openai"],
        "operationId": "listModels",
        "summary": "The configured models, in OpenAI's list format; the default model first",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "responses": {
          "200": {
            "description": "The models, each named `provider:model`: OpenAI's list, or Anthropic's when the request carries `anthropic-version` (the Anthropic SDKs' `models.list()`).",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {
              "application/json": {
                "schema": {
                  "oneOf": [
                    {"$ref": "#/components/schemas/ModelList"},
                    {"$ref": "#/components/schemas/AnthropicModelList"}
                  ]
                }
              }
            }
          },
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/v1/messages": {
      "post": {
        "tags": ["anthropic"],
        "operationId": "createMessage",
        "summary": "Anthropic's Messages API on any provider, streamed or not",
        "description": "The Anthropic SDKs work against `base_url=http://host:port`. Passed through to Anthropic-kind upstreams (with the client's `anthropic-version` and `anthropic-beta`), translated to and from Chat Completions for OpenAI-kind ones: system, text and image blocks, `tool_use`/`tool_result`, `tool_choice`, `stop_sequences`, stop reasons, usage. Keys as `x-api-key` or Bearer. Extended thinking and Anthropic's server tools are refused with 400. Errors use Anthropic's body (413 `request_too_large` and 408 included); errors answered before the path is read use agentd's.",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AnthropicMessageRequest"}}}
        },
        "responses": {
          "200": {
            "description": "A `message`, or with `\"stream\": true` Anthropic's event stream: `message_start`, `ping`, `content_block_start`/`_delta` (`text_delta`, `input_json_delta`)/`_stop` per block, `message_delta` (stop reason, usage), `message_stop`; `error` if the upstream fails after the start.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/AnthropicMessage"}},
              "text/event-stream": {
                "schema": {
                  "description": "One of Anthropic's named events.",
                  "type": "object",
                  "required": ["event", "data"],
                  "properties": {
                    "event": {
                      "enum": [
                        "message_start",
                        "ping",
                        "content_block_start",
                        "content_block_delta",
                        "content_block_stop",
                        "message_delta",
                        "message_stop",
                        "error"
                      ]
                    },
                    "data": {
                      "type": "string",
                      "contentMediaType": "application/json",
                      "contentSchema": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"type": "string"}}
                      }
                    }
                  }
                }
              }
            }
          },
          "default": {"$ref": "#/components/responses/AnthropicFailure"}
        }
      }
    },
    "/v1/messages/count_tokens": {
      "post": {
        "tags": ["anthropic"],
        "operationId": "countMessageTokens",
        "summary": "The input tokens of a Messages request, from an Anthropic-kind upstream's own endpoint",
        "description": "OpenAI-kind providers cannot count Anthropic's way: 501 `not_implemented`.",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AnthropicMessageRequest"}}}
        },
        "responses": {
          "200": {
            "description": "The count.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenCount"}}}
          },
          "default": {"$ref": "#/components/responses/AnthropicFailure"}
        }
      }
    },
    "/v1/responses": {
      "post": {
        "tags": ["openai"],
        "operationId": "createResponse",
        "summary": "OpenAI's Responses API on any provider, streamed or not",
        "description": "Input as text or items (messages, `function_call`, `function_call_output`), `instructions`, function tools, `tool_choice`, `max_output_tokens`, `temperature`, `top_p`. Stored (unless `store: false`) so `previous_response_id` continues it, on any replica with Redis, for the key that made it only; an unknown id is a 400 naming it. `text.format` `json_schema`/`json_object` is structured output for OpenAI-kind providers (Anthropic-kind ones answer 400). Built-in tools, background mode, reasoning, conversation objects and stored prompts are refused with a 400 naming them.",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ResponseRequest"}}}
        },
        "responses": {
          "200": {
            "description": "A `response`, or with `\"stream\": true` its typed events, each with `sequence_number`: `response.created`, `response.in_progress`, `response.output_item.added`, `response.content_part.added`, `response.output_text.delta`, `response.function_call_arguments.delta`, the matching `…done` events, `response.completed` (or `response.incomplete`); `error` and `response.failed` if the upstream fails after the start.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/Response"}},
              "text/event-stream": {
                "schema": {
                  "description": "One typed event: `event` is its type, `data` its JSON with `type` and `sequence_number`.",
                  "type": "object",
                  "required": ["event", "data"],
                  "properties": {
                    "event": {"type": "string"},
                    "data": {
                      "type": "string",
                      "contentMediaType": "application/json",
                      "contentSchema": {
                        "type": "object",
                        "required": ["type", "sequence_number"],
                        "properties": {
                          "type": {"type": "string"},
                          "sequence_number": {"type": "integer", "minimum": 0}
                        }
                      }
                    }
                  }
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/OpenAIBadRequest"},
          "413": {"$ref": "#/components/responses/OpenAIPayloadTooLarge"},
          "415": {"$ref": "#/components/responses/OpenAIUnsupportedMediaType"},
          "401": {"$ref": "#/components/responses/OpenAIUnauthorized"},
          "429": {"$ref": "#/components/responses/OpenAILimited"},
          "502": {"$ref": "#/components/responses/OpenAIUpstreamError"},
          "503": {"$ref": "#/components/responses/OpenAIUnavailable"},
          "504": {"$ref": "#/components/responses/OpenAIUpstreamTimeout"},
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/v1/embeddings": {
      "post": {
        "tags": ["openai"],
        "operationId": "createEmbeddings",
        "summary": "Embeddings from an OpenAI-kind provider (or the mock), OpenAI's wire format both ways",
        "description": "Metered, rate-limited and budgeted like chat. An Anthropic-kind provider has none: 400.",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EmbeddingRequest"}}}
        },
        "responses": {
          "200": {
            "description": "One vector per input.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EmbeddingList"}}}
          },
          "400": {"$ref": "#/components/responses/OpenAIBadRequest"},
          "413": {"$ref": "#/components/responses/OpenAIPayloadTooLarge"},
          "415": {"$ref": "#/components/responses/OpenAIUnsupportedMediaType"},
          "401": {"$ref": "#/components/responses/OpenAIUnauthorized"},
          "429": {"$ref": "#/components/responses/OpenAILimited"},
          "502": {"$ref": "#/components/responses/OpenAIUpstreamError"},
          "503": {"$ref": "#/components/responses/OpenAIUnavailable"},
          "504": {"$ref": "#/components/responses/OpenAIUpstreamTimeout"},
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/agents": {
      "get": {
        "tags": ["agents"],
        "operationId": "listAgents",
        "summary": "The configured agent profiles, `default` included",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "responses": {
          "200": {
            "description": "The profiles, without secrets.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AgentList"}}}
          },
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/tasks": {
      "post": {
        "tags": ["tasks"],
        "operationId": "submitTask",
        "summary": "Queue a durable background task: one message to an agent, run by a worker",
        "description": "The 202 is sent only once the task is stored: on disk (`AGENTD_DATA_DIR`), or in Redis with `AGENTD_REDIS_URL` (one queue for every replica; a dead replica's tasks run again elsewhere after their lease, `AGENTD_TASK_LEASE_S`). It survives `kill -9`, and tasks that were pending or running when the process stopped run again (`attempts` counts). With `callback_url`, the finished record is POSTed there (retried with backoff), signed in `X-Agentd-Signature: sha256=<hex HMAC-SHA256 of the body>` when `AGENTD_WEBHOOK_SECRET` is set.",
        "parameters": [
          {"$ref": "#/components/parameters/RequestID"},
          {
            "name": "Idempotency-Key",
            "in": "header",
            "required": false,
            "description": "The same key (for the same API key) within 24 h returns the same task with 200 instead of a new one.",
            "schema": {"type": "string", "pattern": "^[!-~]{1,255}$"}
          }
        ],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskRequest"}}}
        },
        "responses": {
          "202": {
            "description": "Queued, and on disk.",
            "headers": {
              "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
              "Location": {"schema": {"type": "string"}}
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskAccepted"}}}
          },
          "200": {
            "description": "The task an earlier request with the same `Idempotency-Key` made.",
            "headers": {
              "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
              "Location": {"schema": {"type": "string"}}
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskAccepted"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "413": {"$ref": "#/components/responses/PayloadTooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "429": {"$ref": "#/components/responses/Limited"},
          "503": {"$ref": "#/components/responses/TasksUnavailable"},
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      },
      "get": {
        "tags": ["tasks"],
        "operationId": "listTasks",
        "summary": "Tasks, newest first (with API keys: the key's own)",
        "parameters": [
          {"$ref": "#/components/parameters/RequestID"},
          {"name": "status", "in": "query", "required": false, "schema": {"$ref": "#/components/schemas/TaskStatus"}},
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}
          }
        ],
        "responses": {
          "200": {
            "description": "The page of tasks.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskList"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/Limited"},
          "503": {"$ref": "#/components/responses/TasksUnavailable"},
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/tasks/{id}": {
      "get": {
        "tags": ["tasks"],
        "operationId": "getTask",
        "summary": "One task's record",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}, {"$ref": "#/components/parameters/TaskID"}],
        "responses": {
          "200": {
            "description": "The record.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/TaskNotFound"},
          "429": {"$ref": "#/components/responses/Limited"},
          "503": {"$ref": "#/components/responses/TasksUnavailable"},
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      },
      "delete": {
        "tags": ["tasks"],
        "operationId": "deleteTask",
        "summary": "Cancel the task if it is pending or running (its upstream call is aborted), then delete it",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}, {"$ref": "#/components/parameters/TaskID"}],
        "responses": {
          "200": {
            "description": "The task's last record (`cancelled` if it had not finished).",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/TaskNotFound"},
          "429": {"$ref": "#/components/responses/Limited"},
          "503": {"$ref": "#/components/responses/TasksUnavailable"},
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/tasks/{id}/events": {
      "get": {
        "tags": ["tasks"],
        "operationId": "taskEvents",
        "summary": "The task as Server-Sent Events: its record now, then `status` and `text` events until it ends",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}, {"$ref": "#/components/parameters/TaskID"}],
        "responses": {
          "200": {
            "description": "`event: status` (data: the record) first, and on every change; `event: text` (data: `{\"content\": \"...\"}`) for each piece the task streams (a client that joins late first gets the text so far). The stream ends after a final status. `: keep-alive` comments keep idle streams open.",
            "headers": {
              "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
              "Cache-Control": {"$ref": "#/components/headers/CacheControlNoCache"},
              "X-Accel-Buffering": {"$ref": "#/components/headers/XAccelBuffering"}
            },
            "content": {
              "text/event-stream": {
                "schema": {
                  "description": "The task's events.",
                  "type": "object",
                  "required": ["data"],
                  "properties": {
                    "event": {"type": "string"},
                    "data": {
                      "type": "string",
                      "contentMediaType": "application/json",
                      "contentSchema": {"type": "object"}
                    }
                  }
                }
              }
            }
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/TaskNotFound"},
          "429": {"$ref": "#/components/responses/Limited"},
          "503": {"$ref": "#/components/responses/TasksUnavailable"},
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/health/live": {
      "get": {
        "tags": ["health"],
        "operationId": "liveness",
        "summary": "Liveness: the process serves; no dependency is checked",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "responses": {
          "200": {
            "description": "The process serves.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Liveness"}}}
          },
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/health/ready": {
      "get": {
        "tags": ["health"],
        "operationId": "readiness",
        "summary": "Readiness: whether to send traffic here; not tied to provider health",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "responses": {
          "200": {
            "description": "Ready for traffic.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}, "example": {"ready": true}}
            }
          },
          "503": {
            "description": "Not ready: still starting, or draining after SIGTERM.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {
              "application/json": {
                "schema": {"$ref": "#/components/schemas/Readiness"},
                "example": {"ready": false, "reason": "draining"}
              }
            }
          },
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/health": {
      "get": {
        "tags": ["health"],
        "operationId": "health",
        "summary": "Detailed health: each provider's circuit and last success or failure, and memory",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "responses": {
          "200": {
            "description": "Healthy or degraded (a circuit not closed, memory above 90 % of its limit).",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}
          },
          "503": {
            "description": "Unhealthy: every upstream provider's circuit is open, or memory is nearly exhausted.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}
          },
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/metrics": {
      "get": {
        "tags": ["meta"],
        "operationId": "metrics",
        "summary": "Prometheus text exposition, format 0.0.4; needs `Authorization: Bearer <AGENTD_METRICS_TOKEN>` when that is set",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "responses": {
          "200": {
            "description": "Every agentd_* family of the contract, and the process_* families.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"text/plain; version=0.0.4; charset=utf-8": {"schema": {"type": "string"}}}
          },
          "401": {
            "description": "AGENTD_METRICS_TOKEN is set and the request did not present it.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/": {
      "get": {
        "tags": ["meta"],
        "operationId": "root",
        "summary": "Name, version and links",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "responses": {
          "200": {
            "description": "What this server is.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Root"}}}
          },
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    },
    "/openapi.json": {
      "get": {
        "tags": ["meta"],
        "operationId": "openAPIDocument",
        "summary": "This document",
        "parameters": [{"$ref": "#/components/parameters/RequestID"}],
        "responses": {
          "200": {
            "description": "The OpenAPI 3.1 document of this API.",
            "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": ["openapi", "info", "paths"],
                  "description": "An OpenAPI 3.1 document."
                }
              }
            }
          },
          "default": {"$ref": "#/components/responses/ProtocolError"}
        }
      }
    }
  },
  "components": {
    "parameters": {
      "TaskID": {
        "name": "id",
        "in": "path",
        "required": true,
        "schema": {"type": "string", "pattern": "^task_[0-9a-f]{24}$"}
      },
      "RequestID": {
        "name": "X-Request-ID",
        "in": "header",
        "required": false,
        "description": "The client's request id, echoed in the `X-Request-ID` response header and error bodies. One that is empty, longer than 128 bytes or not visible ASCII is replaced by a generated one.",
        "schema": {"type": "string"}
      }
    },
    "headers": {
      "XRequestID": {
        "description": "The request's id: the client's `X-Request-ID` when it was acceptable, else a generated one (32 hex digits).",
        "required": true,
        "schema": {"type": "string", "pattern": "^[!-~]{1,128}$"}
      },
      "CacheControlNoCache": {
        "description": "`no-cache` on event streams.",
        "schema": {"type": "string", "const": "no-cache"}
      },
      "XAccelBuffering": {
        "description": "`no` on event streams, so proxies such as nginx pass each event on at once.",
        "schema": {"type": "string", "const": "no"}
      },
      "Allow": {
        "description": "On 405: the methods the path accepts (RFC 9110 §10.2.1), e.g. `GET, HEAD`.",
        "schema": {"type": "string"}
      }
    },
    "responses": {
      "AnthropicFailure": {
        "description": "Anthropic's error body; `error.type` by status: `invalid_request_error` (400, 415), `authentication_error` (401), `permission_error` (403), `rate_limit_error` (429, with `Retry-After`), `api_error` (501, 502), `overloaded_error` (503), `timeout_error` (504).",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AnthropicError"}}}
      },
      "BadRequest": {
        "description": "`invalid_request`: bad JSON, a field of the wrong type or out of range (the message names it), an unknown agent, model or provider.",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "PayloadTooLarge": {
        "description": "`payload_too_large`: the body exceeds `AGENTD_MAX_BODY_BYTES` (default 1048576). Answered by the server before the body is read, and the connection closes.",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "OpenAIPayloadTooLarge": {
        "description": "`invalid_request_error` with code `payload_too_large`: the body exceeds `AGENTD_MAX_BODY_BYTES` (default 1048576). Answered by the server before the body is read, and the connection closes.",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}}}
      },
      "UnsupportedMediaType": {
        "description": "`unsupported_media_type`: a `Content-Type` other than `application/json` (or `+json`).",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Unauthorized": {
        "description": "`unauthorized`: API keys are configured and the request presented none, or a wrong one (`Authorization: Bearer <key>` or `X-API-Key`).",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
          "WWW-Authenticate": {"schema": {"const": "Bearer"}}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Limited": {
        "description": "`rate_limited` (the client's token bucket is empty) or `budget_exceeded` (its daily token budget is spent); `Retry-After` says when to come back.",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
          "Retry-After": {"schema": {"type": "integer", "minimum": 1}},
          "X-RateLimit-Limit": {"schema": {"type": "integer"}},
          "X-RateLimit-Remaining": {"schema": {"type": "integer"}}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Unavailable": {
        "description": "`unavailable`: the circuit of every candidate model's provider is open; `Retry-After` says when one may close.",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
          "Retry-After": {"schema": {"type": "integer", "minimum": 1}}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "OpenAIUnauthorized": {
        "description": "`authentication_error` with code `unauthorized`: no API key, or a wrong one.",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
          "WWW-Authenticate": {"schema": {"const": "Bearer"}}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}}}
      },
      "OpenAILimited": {
        "description": "`rate_limit_error` with code `rate_limited` or `budget_exceeded`; `Retry-After` says when to come back.",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
          "Retry-After": {"schema": {"type": "integer", "minimum": 1}}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}}}
      },
      "OpenAIUnavailable": {
        "description": "`api_error` with code `unavailable`: every candidate model's circuit is open.",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
          "Retry-After": {"schema": {"type": "integer", "minimum": 1}}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}}}
      },
      "UpstreamError": {
        "description": "`upstream_error`: the provider failed with a non-retryable error, or its retries ran out.",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "UpstreamTimeout": {
        "description": "`upstream_timeout`: the provider did not answer within `AGENTD_UPSTREAM_TIMEOUT_MS`.",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "OpenAIBadRequest": {
        "description": "`invalid_request_error`: bad JSON, a field of the wrong type or out of range (`param` names it), an unknown model or provider.",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}}}
      },
      "OpenAIUnsupportedMediaType": {
        "description": "`invalid_request_error` with code `unsupported_media_type`: a `Content-Type` other than `application/json` (or `+json`).",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}}}
      },
      "OpenAIUpstreamError": {
        "description": "`api_error` with code `upstream_error`: the provider failed with a non-retryable error, or its retries ran out.",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}}}
      },
      "OpenAIUpstreamTimeout": {
        "description": "`api_error` with code `upstream_timeout`: the provider did not answer within `AGENTD_UPSTREAM_TIMEOUT_MS`.",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OpenAIError"}}}
      },
      "TaskNotFound": {
        "description": "`not_found`: no such task (or, with API keys, another key's).",
        "headers": {"X-Request-ID": {"$ref": "#/components/headers/XRequestID"}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "TasksUnavailable": {
        "description": "`unavailable`: the task queue is full (`AGENTD_TASK_QUEUE_MAX`), the journal is being replayed or cannot be written (nothing is acknowledged that is not on disk), or the server is shutting down; `Retry-After` says when to try again.",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
          "Retry-After": {"schema": {"type": "integer", "minimum": 1}}
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "ProtocolError": {
        "description": "An error the server answers before or instead of the route, on any path: 404 `not_found` (unknown path), 405 `method_not_allowed` (another method of a known path, with `Allow`), and for a request that cannot be read (the connection then closes) 400 `invalid_request` (malformed framing, RFC 9112), 408 `request_timeout`, 414 `uri_too_long`, 431 `headers_too_large`, 417, 501 or 505. Once the path is read (404, 405, 408 on the body, 413) the body is that of the path's API: OpenAI's under `/v1/`, Anthropic's under `/v1/messages`, else agentd's.",
        "headers": {
          "X-Request-ID": {"$ref": "#/components/headers/XRequestID"},
          "Allow": {"$ref": "#/components/headers/Allow"}
        },
        "content": {
          "application/json": {
            "schema": {
              "oneOf": [
                {"$ref": "#/components/schemas/Error"},
                {"$ref": "#/components/schemas/OpenAIError"},
                {"$ref": "#/components/schemas/AnthropicError"}
              ]
            }
          }
        }
      }
    },
    "schemas": {
      "AnthropicMessageRequest": {
        "type": "object",
        "required": ["messages"],
        "description": "Anthropic's Messages request. `max_tokens` is required on /v1/messages (1..AGENTD_MAX_TOKENS_PER_REQUEST), not on count_tokens. Other fields pass through to Anthropic-kind upstreams.",
        "properties": {
          "model": {"type": ["string", "null"], "maxLength": 256, "pattern": "__MODEL_PATTERN__"},
          "max_tokens": {"type": ["integer", "null"], "minimum": 1},
          "system": {
            "oneOf": [
              {"type": "string"},
              {
                "type": "array",
                "items": {
                  "type": "object",
                  "required": ["type", "text"],
                  "properties": {"type": {"const": "text"}, "text": {"type": "string"}}
                }
              },
              {"type": "null"}
            ]
          },
          "messages": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["role", "content"],
              "properties": {
                "role": {"enum": ["user", "assistant"]},
                "content": {
                  "oneOf": [
                    {"type": "string"},
                    {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "required": ["type"],
                        "properties": {"type": {"enum": ["text", "image", "tool_use", "tool_result"]}},
                        "allOf": [
                          {
                            "if": {"properties": {"type": {"const": "text"}}},
                            "then": {"required": ["text"], "properties": {"text": {"type": "string"}}}
                          },
                          {
                            "if": {"properties": {"type": {"const": "tool_use"}}},
                            "then": {
                              "required": ["id", "name"],
                              "properties": {"id": {"type": "string"}, "name": {"type": "string"}}
                            }
                          },
                          {
                            "if": {"properties": {"type": {"const": "tool_result"}}},
                            "then": {"required": ["tool_use_id"], "properties": {"tool_use_id": {"type": "string"}}}
                          },
                          {
                            "if": {"properties": {"type": {"const": "image"}}},
                            "then": {
                              "required": ["source"],
                              "properties": {
                                "source": {
                                  "type": "object",
                                  "required": ["type"],
                                  "properties": {"type": {"enum": ["base64", "url"]}}
                                }
                              }
                            }
                          }
                        ]
                      }
                    }
                  ]
                }
              }
            },
            "minItems": 1
          },
          "tools": {
            "type": ["array", "null"],
            "items": {
              "type": "object",
              "required": ["name"],
              "properties": {
                "type": {"enum": ["custom", null]},
                "name": {"type": "string"},
                "description": {"type": ["string", "null"]},
                "input_schema": {"type": ["object", "null"]}
              }
            }
          },
          "tool_choice": {
            "type": ["object", "null"],
            "required": ["type"],
            "properties": {
              "type": {"enum": ["auto", "any", "tool", "none"]},
              "name": {"type": ["string", "null"]},
              "disable_parallel_tool_use": {"type": ["boolean", "null"]}
            },
            "if": {"properties": {"type": {"const": "tool"}}},
            "then": {"required": ["name"]}
          },
          "stop_sequences": {"type": ["array", "null"], "items": {"type": "string"}},
          "temperature": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
          "top_p": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
          "stream": {"type": ["boolean", "null"]}
        }
      },
      "AnthropicMessage": {
        "type": "object",
        "required": ["id", "type", "role", "model", "content", "stop_reason", "usage"],
        "properties": {
          "id": {"type": "string"},
          "type": {"const": "message"},
          "role": {"const": "assistant"},
          "model": {"type": "string"},
          "content": {"type": "array", "items": {"type": "object"}},
          "stop_reason": {"enum": ["end_turn", "max_tokens", "stop_sequence", "tool_use", "refusal"]},
          "stop_sequence": {"type": ["string", "null"]},
          "usage": {
            "type": "object",
            "properties": {"input_tokens": {"type": "integer"}, "output_tokens": {"type": "integer"}}
          }
        }
      },
      "AnthropicError": {
        "type": "object",
        "required": ["type", "error"],
        "properties": {
          "type": {"const": "error"},
          "error": {
            "type": "object",
            "required": ["type", "message"],
            "properties": {"type": {"type": "string"}, "message": {"type": "string"}}
          },
          "request_id": {"type": "string"}
        }
      },
      "AnthropicModelList": {
        "type": "object",
        "required": ["data", "has_more", "first_id", "last_id"],
        "properties": {
          "data": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["type", "id", "display_name", "created_at"],
              "properties": {
                "type": {"const": "model"},
                "id": {"type": "string"},
                "display_name": {"type": "string"},
                "created_at": {"type": "string"}
              }
            }
          },
          "has_more": {"const": false},
          "first_id": {"type": ["string", "null"]},
          "last_id": {"type": ["string", "null"]}
        }
      },
      "TokenCount": {
        "type": "object",
        "required": ["input_tokens"],
        "properties": {"input_tokens": {"type": "integer"}}
      },
      "ResponseRequest": {
        "type": "object",
        "required": ["input"],
        "properties": {
          "model": {"type": ["string", "null"], "maxLength": 256, "pattern": "__MODEL_PATTERN__"},
          "input": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]},
          "instructions": {"type": ["string", "null"]},
          "tools": {
            "type": ["array", "null"],
            "items": {
              "type": "object",
              "required": ["type", "name"],
              "properties": {
                "type": {"const": "function"},
                "name": {"type": "string"},
                "parameters": {"type": "object"}
              }
            }
          },
          "tool_choice": {
            "oneOf": [
              {"enum": ["auto", "none", "required"]},
              {
                "type": "object",
                "required": ["type", "name"],
                "properties": {"type": {"const": "function"}, "name": {"type": "string"}}
              },
              {"type": "null"}
            ]
          },
          "max_output_tokens": {"type": ["integer", "null"], "minimum": 1},
          "temperature": {"type": ["number", "null"], "minimum": 0, "maximum": 2},
          "top_p": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
          "previous_response_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 256},
          "store": {"type": ["boolean", "null"], "default": true},
          "stream": {"type": ["boolean", "null"]}
        }
      },
      "Response": {
        "type": "object",
        "required": ["id", "object", "status", "model", "output"],
        "properties": {
          "id": {"type": "string"},
          "object": {"const": "response"},
          "created_at": {"type": "integer"},
          "status": {"enum": ["completed", "incomplete", "failed", "in_progress"]},
          "model": {"type": "string"},
          "output": {"type": "array", "items": {"type": "object"}},
          "previous_response_id": {"type": ["string", "null"]},
          "usage": {"type": ["object", "null"]}
        }
      },
      "EmbeddingRequest": {
        "type": "object",
        "required": ["input"],
        "properties": {
          "model": {"type": ["string", "null"], "maxLength": 256, "pattern": "__MODEL_PATTERN__"},
          "input": {
            "oneOf": [
              {"type": "string", "minLength": 1},
              {"type": "array", "minItems": 1, "maxItems": 2048, "items": {"type": "string", "minLength": 1}},
              {
                "type": "array",
                "minItems": 1,
                "maxItems": 2048,
                "items": {"type": "integer", "minimum": 0, "maximum": 2147483647}
              },
              {
                "type": "array",
                "minItems": 1,
                "maxItems": 2048,
                "items": {
                  "type": "array",
                  "minItems": 1,
                  "items": {"type": "integer", "minimum": 0, "maximum": 2147483647}
                }
              }
            ]
          },
          "dimensions": {"type": ["integer", "null"], "minimum": 1, "maximum": 65536},
          "encoding_format": {"enum": ["float", "base64", null]},
          "user": {"type": ["string", "null"], "maxLength": 256}
        }
      },
      "EmbeddingList": {
        "type": "object",
        "required": ["object", "data", "model", "usage"],
        "properties": {
          "object": {"const": "list"},
          "data": {
            "type": "array",
            "items": {
              "type": "object",
              "properties": {"object": {"const": "embedding"}, "index": {"type": "integer"}, "embedding": {}}
            }
          },
          "model": {"type": "string"},
          "usage": {
            "type": "object",
            "properties": {"prompt_tokens": {"type": "integer"}, "total_tokens": {"type": "integer"}}
          }
        }
      },
      "TaskStatus": {"type": "string", "enum": ["pending", "running", "completed", "failed", "cancelled"]},
      "TaskRequest": {
        "type": "object",
        "required": ["message"],
        "properties": {
          "message": {"type": "string", "minLength": 1, "maxLength": 10000},
          "agent": {"type": ["string", "null"], "maxLength": 64, "enum": ["__AGENT_NAMES__"]},
          "model": {
            "type": ["string", "null"],
            "maxLength": 256,
            "description": "`provider:model`; the agent's model when absent.",
            "pattern": "__MODEL_PATTERN__"
          },
          "system_prompt": {"type": ["string", "null"], "maxLength": 5000},
          "max_tokens": {"type": ["integer", "null"], "minimum": 1, "maximum": 4096},
          "callback_url": {
            "type": ["string", "null"],
            "format": "iri",
            "description": "http or https, no credentials: the finished record is POSTed here. An IRI: a host may be an internationalized name.",
            "minLength": 1,
            "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"
          }
        }
      },
      "TaskAccepted": {
        "type": "object",
        "required": ["task_id", "status", "status_url"],
        "properties": {
          "task_id": {"type": "string"},
          "status": {"$ref": "#/components/schemas/TaskStatus"},
          "status_url": {"type": "string"}
        }
      },
      "Task": {
        "type": "object",
        "required": ["task_id", "status", "created_at", "input_message", "model", "attempts"],
        "properties": {
          "task_id": {"type": "string"},
          "status": {"$ref": "#/components/schemas/TaskStatus"},
          "created_at": {"type": "string", "format": "date-time"},
          "started_at": {"type": "string", "format": "date-time"},
          "completed_at": {"type": "string", "format": "date-time"},
          "input_message": {"type": "string"},
          "agent": {"type": "string"},
          "model": {
            "type": "string",
            "description": "The model asked for, then the one that answered (after fallbacks)."
          },
          "result": {"type": "string"},
          "error": {"type": "string"},
          "tokens_used": {"type": "integer", "minimum": 0},
          "attempts": {"type": "integer", "minimum": 0, "description": "How many times a worker started the task."},
          "callback_url": {"type": "string"},
          "webhook": {
            "type": "object",
            "required": ["state", "attempts"],
            "properties": {
              "state": {"type": "string", "enum": ["pending", "delivered", "failed"]},
              "attempts": {"type": "integer", "minimum": 0},
              "status": {"type": "integer"},
              "reason": {"type": "string"}
            }
          }
        }
      },
      "TaskList": {
        "type": "object",
        "required": ["tasks", "count"],
        "properties": {
          "tasks": {"type": "array", "items": {"$ref": "#/components/schemas/Task"}},
          "count": {"type": "integer", "minimum": 0}
        }
      },
      "ChatEventStream": {
        "description": "Server-Sent Events, each flushed as it is made: `data: <ChatStreamEvent JSON>` per text piece, then one `done` event, or one `error` event if the upstream fails after the stream began. A failure before the first event is answered with its error status instead (502, 504). A comment line `: keep-alive` goes out at least every 15 s while nothing else is sent. Described here as one event: its `event` name (absent means `message`) and its `data`.",
        "type": "object",
        "required": ["data"],
        "properties": {
          "event": {"type": "string"},
          "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {"$ref": "#/components/schemas/ChatStreamEvent"}
          }
        }
      },
      "ChatCompletionEventStream": {
        "description": "Server-Sent Events. Each event is `data: <ChatCompletionChunk JSON>`: the first delta carries `role`, the last chunk with choices carries `finish_reason`; with `stream_options.include_usage`, a chunk with empty `choices` and `usage` follows. The stream ends with `data: [DONE]`. A failure before the first event is answered with its error status instead (502, 504); one after the stream began is sent as `data: <OpenAIError JSON>` and ends the stream. A comment line `: keep-alive` goes out at least every 15 s while nothing else is sent. Described here as one event.",
        "type": "object",
        "required": ["data"],
        "properties": {
          "event": {"type": "string"},
          "data": {
            "anyOf": [
              {"const": "[DONE]"},
              {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {
                  "oneOf": [
                    {"$ref": "#/components/schemas/ChatCompletionChunk"},
                    {"$ref": "#/components/schemas/OpenAIError"}
                  ]
                }
              }
            ]
          }
        }
      },
      "ChatRequest": {
        "type": "object",
        "description": "One chat turn. Fields left out (or null) take the agent profile's value; unknown fields are ignored.",
        "required": ["message"],
        "properties": {
          "message": {
            "type": "string",
            "minLength": 1,
            "maxLength": 10000,
            "description": "The user's message: 1 to `AGENTD_MAX_MESSAGE_CHARS` (default 10000) characters."
          },
          "conversation_id": {
            "type": ["string", "null"],
            "maxLength": 128,
            "description": "Continues that conversation; an unknown or missing id starts a new one."
          },
          "stream": {"type": ["boolean", "null"], "default": false, "description": "Answer as Server-Sent Events."},
          "agent": {
            "type": ["string", "null"],
            "maxLength": 64,
            "default": "default",
            "description": "The agent profile (see `GET /agents`).",
            "enum": ["__AGENT_NAMES__"]
          },
          "model": {
            "type": ["string", "null"],
            "maxLength": 256,
            "description": "`provider:model`, or a bare name for the default provider.",
            "pattern": "__MODEL_PATTERN__"
          },
          "system_prompt": {"type": ["string", "null"], "maxLength": 5000},
          "max_tokens": {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": 4096,
            "description": "1 to `AGENTD_MAX_TOKENS_PER_REQUEST` (default 4096)."
          },
          "temperature": {"type": ["number", "null"], "minimum": 0, "maximum": 2}
        },
        "examples": [{"message": "What is a circuit breaker?", "agent": "default", "temperature": 0.3}]
      },
      "ChatResponse": {
        "type": "object",
        "required": [
          "response",
          "conversation_id",
          "model",
          "tokens_used",
          "usage",
          "processing_time_ms",
          "cached",
          "request_id"
        ],
        "properties": {
          "response": {"type": "string"},
          "conversation_id": {"type": "string", "description": "Send it back to continue the conversation."},
          "model": {"type": "string", "description": "`provider:model` that answered."},
          "tokens_used": {"type": "integer", "minimum": 0, "description": "input_tokens + output_tokens."},
          "usage": {"$ref": "#/components/schemas/Usage"},
          "processing_time_ms": {"type": "number", "minimum": 0},
          "cached": {"type": "boolean"},
          "request_id": {"type": "string"},
          "steps": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/AgentStep"},
            "description": "An agent with tools: the tool calls agentd ran, with their results, in order."
          }
        }
      },
      "AgentStep": {
        "type": "object",
        "required": ["id", "name", "arguments", "ok", "content"],
        "properties": {
          "id": {"type": "string"},
          "name": {"type": "string"},
          "arguments": {"type": "string", "description": "The model's arguments, JSON text."},
          "ok": {"type": "boolean"},
          "content": {"type": "string", "description": "The result (or the error) as the model read it."}
        }
      },
      "Usage": {
        "type": "object",
        "required": ["input_tokens", "output_tokens"],
        "properties": {
          "input_tokens": {"type": "integer", "minimum": 0},
          "output_tokens": {"type": "integer", "minimum": 0}
        }
      },
      "ChatStreamEvent": {
        "description": "The JSON of one `data:` event of a chat stream.",
        "oneOf": [
          {"$ref": "#/components/schemas/ChatStreamText"},
          {"$ref": "#/components/schemas/ChatStreamToolCall"},
          {"$ref": "#/components/schemas/ChatStreamToolResult"},
          {"$ref": "#/components/schemas/ChatStreamDone"},
          {"$ref": "#/components/schemas/ChatStreamError"}
        ],
        "discriminator": {
          "propertyName": "type",
          "mapping": {
            "text": "#/components/schemas/ChatStreamText",
            "tool_call": "#/components/schemas/ChatStreamToolCall",
            "tool_result": "#/components/schemas/ChatStreamToolResult",
            "done": "#/components/schemas/ChatStreamDone",
            "error": "#/components/schemas/ChatStreamError"
          }
        }
      },
      "ChatStreamText": {
        "type": "object",
        "required": ["type", "content"],
        "properties": {
          "type": {"const": "text"},
          "content": {"type": "string", "description": "The next piece of the answer."}
        }
      },
      "ChatStreamToolCall": {
        "type": "object",
        "required": ["type", "id", "name", "arguments"],
        "properties": {
          "type": {"const": "tool_call"},
          "id": {"type": "string"},
          "name": {"type": "string"},
          "arguments": {"type": "string"}
        }
      },
      "ChatStreamToolResult": {
        "type": "object",
        "required": ["type", "id", "name", "ok", "content"],
        "properties": {
          "type": {"const": "tool_result"},
          "id": {"type": "string"},
          "name": {"type": "string"},
          "ok": {"type": "boolean"},
          "content": {"type": "string"}
        }
      },
      "ChatStreamDone": {
        "type": "object",
        "required": ["type", "conversation_id", "model", "usage"],
        "properties": {
          "type": {"const": "done"},
          "conversation_id": {"type": "string"},
          "model": {"type": "string"},
          "usage": {"$ref": "#/components/schemas/Usage"}
        }
      },
      "ChatStreamError": {
        "type": "object",
        "required": ["type", "message"],
        "properties": {"type": {"const": "error"}, "message": {"type": "string"}}
      },
      "Error": {
        "type": "object",
        "description": "agentd's error body.",
        "required": ["error", "request_id"],
        "properties": {
          "error": {
            "type": "object",
            "required": ["type", "message"],
            "properties": {
              "type": {
                "type": "string",
                "description": "The class of error, fixed per status.",
                "examples": [
                  "invalid_request",
                  "not_found",
                  "method_not_allowed",
                  "payload_too_large",
                  "unsupported_media_type",
                  "upstream_error",
                  "upstream_timeout"
                ]
              },
              "message": {
                "type": "string",
                "description": "For people: names the field at fault and the accepted form."
              }
            }
          },
          "request_id": {"type": "string", "description": "The same as the `X-Request-ID` header."}
        }
      },
      "OpenAIError": {
        "type": "object",
        "description": "OpenAI's error body.",
        "required": ["error"],
        "properties": {
          "error": {
            "type": "object",
            "required": ["message", "type", "code", "param"],
            "properties": {
              "message": {"type": "string"},
              "type": {
                "type": "string",
                "description": "OpenAI's class of error.",
                "examples": ["invalid_request_error", "api_error"]
              },
              "code": {
                "type": ["string", "null"],
                "description": "agentd's error type.",
                "examples": ["invalid_request", "upstream_error"]
              },
              "param": {
                "type": ["string", "null"],
                "description": "The request field at fault.",
                "examples": ["messages[0].role"]
              }
            }
          }
        }
      },
      "ChatCompletionRequest": {
        "type": "object",
        "description": "OpenAI's chat completion request. Unknown fields are ignored.",
        "required": ["messages"],
        "properties": {
          "messages": {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/components/schemas/ChatCompletionMessage"}
          },
          "model": {
            "type": ["string", "null"],
            "maxLength": 256,
            "description": "`provider:model`, or a bare name for the default provider; absent: the default model.",
            "pattern": "__MODEL_PATTERN__"
          },
          "stream": {"type": ["boolean", "null"], "default": false},
          "stream_options": {
            "type": ["object", "null"],
            "properties": {
              "include_usage": {
                "type": ["boolean", "null"],
                "default": false,
                "description": "Send a last chunk with `usage` before `[DONE]`."
              }
            }
          },
          "max_tokens": {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": 4096,
            "description": "1 to `AGENTD_MAX_TOKENS_PER_REQUEST` (default 4096); `max_completion_tokens` wins when both are sent."
          },
          "max_completion_tokens": {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": 4096,
            "description": "1 to `AGENTD_MAX_TOKENS_PER_REQUEST` (default 4096)."
          },
          "temperature": {"type": ["number", "null"], "minimum": 0, "maximum": 2},
          "top_p": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
          "stop": {
            "oneOf": [
              {"type": "string"},
              {"type": "array", "maxItems": 4, "items": {"type": "string"}},
              {"type": "null"}
            ]
          },
          "user": {"type": ["string", "null"], "maxLength": 256},
          "n": {
            "type": ["integer", "null"],
            "minimum": 1,
            "maximum": 1,
            "description": "Only one choice per request."
          },
          "tools": {"type": ["array", "null"], "items": {"$ref": "#/components/schemas/Tool"}},
          "response_format": {
            "description": "Structured output, passed to OpenAI-kind providers; Anthropic-kind ones answer 400.",
            "oneOf": [
              {"type": "null"},
              {"type": "object", "required": ["type"], "properties": {"type": {"enum": ["text", "json_object"]}}},
              {
                "type": "object",
                "required": ["type", "json_schema"],
                "properties": {
                  "type": {"const": "json_schema"},
                  "json_schema": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string"}, "schema": {"type": "object"}}
                  }
                }
              }
            ]
          },
          "tool_choice": {
            "description": "Passed to the provider.",
            "oneOf": [
              {"type": "string", "enum": ["none", "auto", "required"]},
              {
                "type": "object",
                "required": ["type", "function"],
                "properties": {
                  "type": {"const": "function"},
                  "function": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}
                }
              },
              {"type": "null"}
            ]
          },
          "parallel_tool_calls": {"type": ["boolean", "null"]}
        },
        "examples": [
          {
            "model": "mock:echo",
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}]
          }
        ]
      },
      "ChatCompletionMessage": {
        "type": "object",
        "required": ["role"],
        "properties": {
          "role": {
            "type": "string",
            "enum": ["system", "developer", "user", "assistant", "tool"],
            "description": "`developer` is read as `system`."
          },
          "content": {
            "description": "Text, an array of content parts (passed through), or null (an assistant message with only `tool_calls`).",
            "oneOf": [
              {"type": "string"},
              {
                "type": "array",
                "items": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}}
              },
              {"type": "null"}
            ]
          },
          "name": {"type": ["string", "null"]},
          "tool_calls": {
            "type": ["array", "null"],
            "items": {"$ref": "#/components/schemas/ToolCall"},
            "description": "On assistant messages: the calls it made."
          },
          "tool_call_id": {
            "type": ["string", "null"],
            "description": "On tool messages (required there): the call this answers."
          }
        },
        "if": {"properties": {"role": {"const": "tool"}}, "required": ["role"]},
        "then": {"required": ["tool_call_id"]}
      },
      "Tool": {
        "type": "object",
        "required": ["function"],
        "properties": {
          "type": {"enum": ["function", null]},
          "function": {
            "type": "object",
            "required": ["name"],
            "properties": {
              "name": {"type": "string"},
              "description": {"type": ["string", "null"]},
              "parameters": {"type": ["object", "null"], "description": "A JSON Schema of the arguments."},
              "strict": {"type": ["boolean", "null"]}
            }
          }
        }
      },
      "ToolCall": {
        "type": "object",
        "required": ["id", "function"],
        "properties": {
          "id": {"type": "string"},
          "type": {"const": "function"},
          "function": {
            "type": "object",
            "required": ["name"],
            "properties": {
              "name": {"type": "string"},
              "arguments": {"type": "string", "description": "The arguments as JSON text; `{}` when absent."}
            }
          }
        }
      },
      "FinishReason": {"type": "string", "enum": ["stop", "length", "tool_calls", "content_filter"]},
      "CompletionUsage": {
        "type": "object",
        "required": ["prompt_tokens", "completion_tokens", "total_tokens"],
        "properties": {
          "prompt_tokens": {"type": "integer", "minimum": 0},
          "completion_tokens": {"type": "integer", "minimum": 0},
          "total_tokens": {"type": "integer", "minimum": 0}
        }
      },
      "ChatCompletion": {
        "type": "object",
        "required": ["id", "object", "created", "model", "choices", "usage"],
        "properties": {
          "id": {"type": "string", "examples": ["chatcmpl-0f8fad5bd9cb469fa16570867728950e"]},
          "object": {"const": "chat.completion"},
          "created": {"type": "integer", "description": "Unix time, seconds."},
          "model": {"type": "string", "description": "`provider:model` that answered."},
          "choices": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {
              "type": "object",
              "required": ["index", "message", "logprobs", "finish_reason"],
              "properties": {
                "index": {"type": "integer", "minimum": 0},
                "message": {
                  "type": "object",
                  "required": ["role", "content"],
                  "properties": {
                    "role": {"const": "assistant"},
                    "content": {"type": ["string", "null"], "description": "Null when the answer is only tool calls."},
                    "tool_calls": {"type": "array", "items": {"$ref": "#/components/schemas/ToolCall"}}
                  }
                },
                "logprobs": {"type": "null"},
                "finish_reason": {"$ref": "#/components/schemas/FinishReason"}
              }
            }
          },
          "usage": {"$ref": "#/components/schemas/CompletionUsage"}
        }
      },
      "ChatCompletionChunk": {
        "type": "object",
        "required": ["id", "object", "created", "model", "choices"],
        "properties": {
          "id": {"type": "string"},
          "object": {"const": "chat.completion.chunk"},
          "created": {"type": "integer", "description": "Unix time, seconds."},
          "model": {"type": "string"},
          "choices": {
            "type": "array",
            "maxItems": 1,
            "description": "Empty only in the usage chunk.",
            "items": {
              "type": "object",
              "required": ["index", "delta", "logprobs", "finish_reason"],
              "properties": {
                "index": {"type": "integer", "minimum": 0},
                "delta": {
                  "type": "object",
                  "properties": {
                    "role": {"const": "assistant"},
                    "content": {"type": "string"},
                    "tool_calls": {
                      "type": "array",
                      "items": {
                        "type": "object",
                        "required": ["index"],
                        "description": "The first delta of a call has `id`, `type` and `function.name`; later ones add to `function.arguments`.",
                        "properties": {
                          "index": {"type": "integer", "minimum": 0},
                          "id": {"type": "string"},
                          "type": {"const": "function"},
                          "function": {
                            "type": "object",
                            "properties": {"name": {"type": "string"}, "arguments": {"type": "string"}}
                          }
                        }
                      }
                    }
                  }
                },
                "logprobs": {"type": "null"},
                "finish_reason": {"oneOf": [{"$ref": "#/components/schemas/FinishReason"}, {"type": "null"}]}
              }
            }
          },
          "usage": {"$ref": "#/components/schemas/CompletionUsage"}
        }
      },
      "ModelList": {
        "type": "object",
        "required": ["object", "data"],
        "properties": {
          "object": {"const": "list"},
          "data": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["id", "object", "created", "owned_by"],
              "properties": {
                "id": {"type": "string", "description": "`provider:model`.", "examples": ["mock:echo"]},
                "object": {"const": "model"},
                "created": {"type": "integer"},
                "owned_by": {"type": "string", "description": "The provider's name."}
              }
            }
          }
        }
      },
      "AgentList": {
        "type": "object",
        "required": ["object", "data"],
        "properties": {
          "object": {"const": "list"},
          "data": {"type": "array", "items": {"$ref": "#/components/schemas/Agent"}}
        }
      },
      "Agent": {
        "type": "object",
        "description": "An agent profile; null fields take the server's defaults.",
        "required": ["name", "model", "system_prompt", "temperature", "max_tokens", "fallback_models"],
        "properties": {
          "name": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,64}$"},
          "model": {"type": ["string", "null"]},
          "system_prompt": {"type": ["string", "null"]},
          "temperature": {"type": ["number", "null"], "minimum": 0, "maximum": 2},
          "max_tokens": {"type": ["integer", "null"], "minimum": 1},
          "fallback_models": {"type": "array", "items": {"type": "string"}},
          "tools": {
            "type": "array",
            "description": "Tools agentd runs for this agent (names and descriptions only).",
            "items": {
              "type": "object",
              "required": ["name", "description", "type"],
              "properties": {
                "name": {"type": "string"},
                "description": {"type": ["string", "null"]},
                "type": {"enum": ["http", "mcp"]}
              }
            }
          },
          "max_steps": {
            "type": "integer",
            "minimum": 1,
            "description": "Model calls one run may make (agents with tools)."
          }
        }
      },
      "Liveness": {"type": "object", "required": ["alive"], "properties": {"alive": {"const": true}}},
      "Health": {
        "type": "object",
        "required": ["status", "version", "uptime_seconds", "components"],
        "properties": {
          "status": {"type": "string", "enum": ["healthy", "degraded", "unhealthy"]},
          "version": {"type": "string"},
          "uptime_seconds": {"type": "integer", "minimum": 0},
          "components": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["name", "status"],
              "properties": {
                "name": {"type": "string", "description": "`provider:<name>` or `memory`"},
                "status": {"type": "string", "enum": ["healthy", "degraded", "unhealthy"]},
                "message": {"type": "string"},
                "latency_ms": {"type": "number"}
              }
            }
          }
        }
      },
      "Readiness": {
        "type": "object",
        "required": ["ready"],
        "properties": {
          "ready": {"type": "boolean"},
          "reason": {
            "type": "string",
            "enum": [
              "starting",
              "draining",
              "replaying the task journal",
              "the task journal cannot be written",
              "the task journal cannot be read"
            ],
            "description": "Why not ready; only when `ready` is false."
          }
        }
      },
      "Root": {
        "type": "object",
        "required": ["name", "version", "links"],
        "properties": {
          "name": {"const": "agentd"},
          "version": {"type": "string"},
          "links": {
            "type": "object",
            "required": ["live", "ready", "openapi"],
            "properties": {
              "live": {"const": "/health/live"},
              "ready": {"const": "/health/ready"},
              "openapi": {"const": "/openapi.json"}
            }
          }
        }
      }
    }
  }
}
"""#

    /// The document for this configuration: `model` fields match the configured providers' prefixes (or a bare
    /// name, for the default provider), `agent` fields list the configured agents.
    static func rendered(providers: [String], agents: [String]) -> String {
        let prefixes = providers.sorted().joined(separator: "|")
        let pattern = prefixes.isEmpty ? "^[^:]*$" : "^(?:[^:]*|(?:\(prefixes)):.+)$"
        let names = JSONValue.array(agents.map(JSONValue.string) + [.null]).serialized()
        return json.replacingOccurrences(of: "\"__MODEL_PATTERN__\"", with: JSONValue.string(pattern).text)
            .replacingOccurrences(of: "[\"__AGENT_NAMES__\"]", with: String(decoding: names, as: UTF8.self))
    }
}
