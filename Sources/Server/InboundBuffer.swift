import Glibc

/// Bytes read from a socket and not yet consumed by the parser.
///
/// Owner: one `Connection`, on its event loop. A single malloc'd region with a reader and a writer index:
/// reads go straight into the free tail, consumed bytes are dropped by moving the reader index, and the
/// region is compacted only when a read needs the room. Never shared, never copied. An empty buffer may give
/// its region back (`release`, while a long stream is answered); the next read allocates it again.
final class InboundBuffer {
    private var storage: UnsafeMutableRawPointer?
    private(set) var capacity: Int
    private let initialCapacity: Int
    private var readerIndex = 0
    private var writerIndex = 0

    init(initialCapacity: Int = 4096) {
        self.initialCapacity = initialCapacity
        capacity = initialCapacity
        storage = UnsafeMutableRawPointer.allocate(byteCount: initialCapacity, alignment: 16)
    }

    deinit { storage?.deallocate() }

    var readableCount: Int { writerIndex - readerIndex }
    var isEmpty: Bool { writerIndex == readerIndex }

    var readable: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.map { $0 + readerIndex }, count: writerIndex - readerIndex)
    }

    func consume(_ count: Int) {
        precondition(count <= readableCount, "cannot consume \(count) of \(readableCount) buffered bytes")
        readerIndex += count
        if readerIndex == writerIndex {
            readerIndex = 0
            writerIndex = 0
        }
    }

    /// Free room for at least `minimum` more bytes, compacting or growing as needed.
    func writableSpace(minimum: Int) -> UnsafeMutableRawBufferPointer {
        guard let current = storage else {
            var newCapacity = initialCapacity
            while newCapacity < minimum { newCapacity *= 2 }
            let fresh = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
            storage = fresh
            capacity = newCapacity
            return UnsafeMutableRawBufferPointer(start: fresh, count: newCapacity)
        }
        var region = current
        if capacity - writerIndex < minimum {
            if readerIndex > 0 {
                let count = readableCount
                region.copyMemory(from: region + readerIndex, byteCount: count)
                readerIndex = 0
                writerIndex = count
            }
            if capacity - writerIndex < minimum {
                var newCapacity = capacity * 2
                while newCapacity - writerIndex < minimum { newCapacity *= 2 }
                let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
                grown.copyMemory(from: region, byteCount: writerIndex)
                region.deallocate()
                region = grown
                storage = grown
                capacity = newCapacity
            }
        }
        return UnsafeMutableRawBufferPointer(start: region + writerIndex, count: capacity - writerIndex)
    }

    func didWrite(_ count: Int) {
        precondition(writerIndex + count <= capacity, "wrote past the buffer's free space")
        writerIndex += count
    }

    /// Returns to the initial capacity when a large request left the buffer grown and now empty.
    func shrinkIfIdle() {
        guard isEmpty, capacity > initialCapacity * 4 else { return }
        release()
    }

    /// Gives the region back while the buffer is empty (a connection answering a long stream reads nothing
    /// meanwhile); the next `writableSpace` allocates the initial capacity again.
    func release() {
        guard isEmpty, let current = storage else { return }
        current.deallocate()
        storage = nil
        capacity = 0
    }
}
