/// A glob on tenant ids from the access policy: `*` matches any run of characters (none
/// included); every other character matches itself.
///
/// ```swift
/// TenantPattern("acme-*").matches("acme-eu")   // true
/// ```
package struct TenantPattern: Sendable, Hashable, CustomStringConvertible {
    /// The pattern as the policy file spells it.
    package let pattern: String
    /// The literal pieces between the stars, as UTF-8.
    private let pieces: [[UInt8]]

    package init(_ pattern: String) {
        self.pattern = pattern
        self.pieces = pattern.utf8.split(separator: UInt8(ascii: "*"), omittingEmptySubsequences: false).map(Array.init)
    }

    package var description: String { pattern }

    /// Whether `tenantID` matches the whole pattern.
    package func matches(_ tenantID: String) -> Bool {
        var tenantID = tenantID
        return tenantID.withUTF8 { Self.matches(pieces, UnsafeBufferPointer(rebasing: $0[...])) }
    }

    private static func matches(_ pieces: [[UInt8]], _ text: UnsafeBufferPointer<UInt8>) -> Bool {
        // No star: the one piece is the whole text.
        guard pieces.count > 1 else { return text.elementsEqual(pieces[0]) }
        let first = pieces[0]
        let last = pieces[pieces.count - 1]
        guard text.count >= first.count + last.count, text.starts(with: first), text.reversed().starts(with: last.reversed())
        else { return false }
        // The middle pieces, leftmost first, in the text between the first and the last piece:
        // a greedy leftmost match is enough when `*` is the only wildcard.
        var position = first.count
        let end = text.count - last.count
        for piece in pieces.dropFirst().dropLast() where !piece.isEmpty {
            guard let found = firstIndex(of: piece, in: text, from: position, before: end) else { return false }
            position = found + piece.count
        }
        return true
    }

    private static func firstIndex(of piece: [UInt8], in text: UnsafeBufferPointer<UInt8>, from start: Int, before end: Int) -> Int? {
        var index = start
        while index + piece.count <= end {
            if text[index..<(index + piece.count)].elementsEqual(piece) { return index }
            index += 1
        }
        return nil
    }
}
