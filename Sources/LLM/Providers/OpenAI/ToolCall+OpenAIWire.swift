import JSON

extension ToolCall {
    /// Writes calls as OpenAI's `tool_calls` array: `[{"id":…,"type":"function","function":{"name":…,"arguments":…}}]`.
    public static func writeOpenAI(_ calls: [ToolCall], to json: inout JSONWriter) {
        json.beginArray()
        for call in calls {
            json.beginObject()
            json.key("id")
            json.string(call.id)
            json.key("type")
            json.string("function")
            json.key("function")
            json.beginObject()
            json.key("name")
            json.string(call.name)
            json.key("arguments")
            json.string(call.arguments)
            json.endObject()
            json.endObject()
        }
        json.endArray()
    }
}
