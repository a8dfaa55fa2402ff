/// The FIFO of task ids waiting for a worker. Owner: the task store's lock.
///
/// An array with a moving head: O(1) push and pop, the consumed prefix dropped once it is half the storage.
struct TaskQueue {
    private var ids: [String] = []
    private var head = 0

    var count: Int { ids.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func push(_ id: String) { ids.append(id) }

    mutating func pop() -> String? {
        guard head < ids.count else { return nil }
        let id = ids[head]
        head += 1
        if head > 64 && head * 2 > ids.count {
            ids.removeFirst(head)
            head = 0
        }
        return id
    }

    /// The first waiting id that passes `test`, oldest first.
    func first(where test: (String) -> Bool) -> String? { ids[head...].first(where: test) }

    /// Takes `id` out of the queue (a pending task was cancelled). O(n); cancellations are rare.
    mutating func remove(_ id: String) {
        guard let index = ids[head...].firstIndex(of: id) else { return }
        ids.remove(at: index)
    }
}
