internal import Foundation
internal import NIOCore

/// Cuts a byte stream into `\n`-terminated lines (the framing of watch streams), whatever the
/// chunk boundaries; a line longer than ``maximumLineLength`` is an error, so a broken stream
/// cannot grow the buffer without bound.
struct LineSplitter: Sendable {
    /// The longest line kept (the API server's objects are at most ~1.5 MiB in etcd).
    static let maximumLineLength = 16 << 20

    struct LineTooLong: Error, Sendable, CustomStringConvertible {
        var description: String { "a watch event is longer than \(LineSplitter.maximumLineLength) bytes" }
    }

    private var pending = Data()

    /// The lines `chunk` completes, without their `\n` (and `\r`); empty lines are skipped.
    mutating func append(_ chunk: ByteBuffer) throws(LineTooLong) -> [Data] {
        var lines: [Data] = []
        var view = chunk.readableBytesView[...]
        while let newline = view.firstIndex(of: UInt8(ascii: "\n")) {
            self.pending.append(contentsOf: view[..<newline])
            view = view[view.index(after: newline)...]
            var line = self.pending
            self.pending = Data()
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if !line.isEmpty { lines.append(line) }
        }
        self.pending.append(contentsOf: view)
        guard self.pending.count <= Self.maximumLineLength else {
            self.pending = Data()
            throw LineTooLong()
        }
        return lines
    }

    /// What remains when the stream ends: a last line without `\n`, if any.
    mutating func finish() -> Data? {
        defer { self.pending = Data() }
        return self.pending.isEmpty ? nil : self.pending
    }
}
