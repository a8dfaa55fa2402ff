import HTTP

/// Answers one routed request. Runs on an event loop: it must not block (see `HTTPHandler`).
public typealias RouteHandler = @Sendable (HTTPRequest, Responder) -> Void

/// What a router finds for a method and path.
public enum RouteResolution: Sendable {
    case matched(template: String, parameters: [String: String], handler: RouteHandler)
    /// The path exists under other methods; `allowed` feeds the `Allow` header (RFC 9110 §15.5.6).
    case methodNotAllowed(template: String, allowed: [HTTPMethod])
    case notFound
}

/// Routes by method and path template, with `{name}` parameters (`/tasks/{id}`).
///
/// Built before serving and immutable after. Static paths are one dictionary look-up; templates with
/// parameters are matched segment by segment. HEAD is answered by the GET route when it has none of its
/// own, as RFC 9110 §9.3.2 expects; the server then leaves the body out.
public struct Router: HTTPHandler {
    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private struct PatternRoute: Sendable {
        let template: String
        let segments: [Segment]
        var handlers: [HTTPMethod: RouteHandler]
    }

    private var staticRoutes: [String: [HTTPMethod: RouteHandler]] = [:]
    private var patternRoutes: [PatternRoute] = []
    /// How errors the router and the server answer are worded; by default agentd's body (docs/api.md, Errors).
    public var errors: ErrorRendering = { _, status, type, message, requestID, headers in
        ErrorResponse.make(status, type: type, message: message, requestID: requestID, headers: headers)
    }

    public init() {}

    public var renderError: ErrorRendering { errors }

    public mutating func add(_ method: HTTPMethod, _ template: String, _ handler: @escaping RouteHandler) {
        precondition(template.hasPrefix("/"), "a route template starts with /, got \(template)")
        let segments = Router.segments(of: template)
        guard segments.contains(where: { if case .parameter = $0 { return true } else { return false } }) else {
            precondition(staticRoutes[template]?[method] == nil, "\(method) \(template) is routed twice")
            staticRoutes[template, default: [:]][method] = handler
            return
        }
        if let index = patternRoutes.firstIndex(where: { $0.segments == segments }) {
            precondition(patternRoutes[index].handlers[method] == nil, "\(method) \(template) is routed twice")
            patternRoutes[index].handlers[method] = handler
        } else {
            patternRoutes.append(PatternRoute(template: template, segments: segments, handlers: [method: handler]))
        }
    }

    /// A route whose answer is ready at once: `answer` runs on the event loop and must be quick.
    public mutating func add(_ method: HTTPMethod, _ template: String, answer: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        add(method, template) { request, responder in responder.respond(answer(request)) }
    }

    /// Every routed method and template, sorted: for documentation checks (the OpenAPI document).
    public var routes: [(method: HTTPMethod, template: String)] {
        var all: [(method: HTTPMethod, template: String)] = []
        for (template, handlers) in staticRoutes { all += handlers.keys.map { ($0, template) } }
        for route in patternRoutes { all += route.handlers.keys.map { ($0, route.template) } }
        return all.sorted { ($0.template, $0.method.rawValue) < ($1.template, $1.method.rawValue) }
    }

    public func resolve(method: HTTPMethod, path: String) -> RouteResolution {
        if let handlers = staticRoutes[path] {
            return Router.pick(method, handlers, template: path, parameters: [:])
        }
        let requestSegments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        for route in patternRoutes where route.segments.count == requestSegments.count {
            var parameters: [String: String] = [:]
            var matches = true
            for (segment, part) in zip(route.segments, requestSegments) {
                switch segment {
                case .literal(let text):
                    matches = text == part
                case .parameter(let name):
                    if let value = PercentDecoding.decode(part), !value.isEmpty {
                        parameters[name] = value
                    } else {
                        matches = false
                    }
                }
                if !matches { break }
            }
            if matches { return Router.pick(method, route.handlers, template: route.template, parameters: parameters) }
        }
        return .notFound
    }

    public func handle(_ request: HTTPRequest, responder: Responder) {
        switch resolve(method: request.method, path: request.path) {
        case .matched(let template, let parameters, let handler):
            var request = request
            request.route = template
            request.parameters = parameters
            responder.noteRoute(template)
            handler(request, responder)
        case .methodNotAllowed(let template, let allowed):
            responder.noteRoute(template)
            responder.respond(errors(
                request.path, .methodNotAllowed, "method_not_allowed", "\(request.method) is not allowed on \(request.path)", request.id,
                ["Allow": allowed.map(\.rawValue).joined(separator: ", ")]
            ))
        case .notFound:
            responder.respond(errors(request.path, .notFound, "not_found", "no route for \(request.path)", request.id, HTTPHeaders()))
        }
    }

    private static func pick(
        _ method: HTTPMethod, _ handlers: [HTTPMethod: RouteHandler], template: String, parameters: [String: String]
    ) -> RouteResolution {
        if let handler = handlers[method] ?? (method == .head ? handlers[.get] : nil) {
            return .matched(template: template, parameters: parameters, handler: handler)
        }
        var allowed = Set(handlers.keys)
        if allowed.contains(.get) { allowed.insert(.head) }
        return .methodNotAllowed(template: template, allowed: allowed.sorted { $0.rawValue < $1.rawValue })
    }

    private static func segments(of template: String) -> [Segment] {
        template.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { part in
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                return .parameter(String(part.dropFirst().dropLast()))
            }
            return .literal(String(part))
        }
    }
}
