import Tasks

/// The webhook sender as the task store sees it: a delivery's end as the journalled webhook state.
struct TaskWebhooks: TaskWebhookDelivering {
    let sender: WebhookSender

    func deliver(taskID: String, url: String, body: [UInt8], completion: @escaping @Sendable (WebhookState) -> Void) {
        sender.deliver(taskID: taskID, url: url, body: body) { outcome in
            switch outcome {
            case .delivered(let attempts, let status): completion(.delivered(attempts: attempts, status: status))
            case .failed(let attempts, let reason): completion(.failed(attempts: attempts, reason: reason))
            }
        }
    }
}
