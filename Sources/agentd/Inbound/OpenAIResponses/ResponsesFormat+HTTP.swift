import HTTP
import Inbound

extension ResponsesFormat: InboundFormat {
    func errorResponse(_ failure: APIFailure) -> HTTPResponse { failure.openAIResponse() }
}
