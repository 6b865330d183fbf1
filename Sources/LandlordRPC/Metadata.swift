/// Custom metadata of a call: request headers a client sent, or response
/// headers and trailers a handler adds.
///
/// Keys are lower-case ASCII. Keys ending in `-bin` carry binary values, which
/// travel base64-encoded on the wire; all other values are strings.
public struct Metadata: Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// One metadata value.
    public enum Value: Hashable, Sendable {
        case string(String)
        case binary([UInt8])
    }

    /// One key-value pair, in the order it was added or received.
    public struct Element: Hashable, Sendable {
        public var key: String
        public var value: Value
    }

    public private(set) var elements: [Element]

    public init() { self.elements = [] }

    public init(dictionaryLiteral elements: (String, Value)...) {
        self.elements = []
        for (key, value) in elements { self.add(key, value) }
    }

    public var isEmpty: Bool { elements.isEmpty }
    public var count: Int { elements.count }

    /// Appends a value; the key is lower-cased. Several values may share a key.
    public mutating func add(_ key: String, _ value: Value) {
        elements.append(Element(key: Self.lowercased(key), value: value))
    }

    /// `key.lowercased()`, without making a new string when `key` is lower-case ASCII already
    /// (as received header names are).
    @inline(__always)
    private static func lowercased(_ key: String) -> String {
        let isLowercaseASCII =
            key.utf8.withContiguousStorageIfAvailable { bytes in
                !bytes.contains { $0 >= 0x80 || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
            } ?? false
        return isLowercaseASCII ? key : key.lowercased()
    }

    /// Appends a string value.
    public mutating func add(_ key: String, _ value: String) { add(key, .string(value)) }

    /// Appends a binary value; the key should end in `-bin`.
    public mutating func add(_ key: String, binary value: [UInt8]) { add(key, .binary(value)) }

    /// Removes every value stored under `key`.
    public mutating func removeAll(_ key: String) {
        let key = key.lowercased()
        elements.removeAll { $0.key == key }
    }

    /// Appends every element of `other`.
    public mutating func merge(_ other: Metadata) { elements.append(contentsOf: other.elements) }

    /// Every value stored under `key`, in order.
    public func values(for key: String) -> [Value] {
        let key = key.lowercased()
        return elements.compactMap { $0.key == key ? $0.value : nil }
    }

    /// The first string value stored under `key`.
    public func firstString(for key: String) -> String? {
        for case .string(let s) in values(for: key) { return s }
        return nil
    }

    /// The first binary value stored under `key`.
    public func firstBinary(for key: String) -> [UInt8]? {
        for case .binary(let b) in values(for: key) { return b }
        return nil
    }
}

extension Metadata: Sequence {
    public func makeIterator() -> IndexingIterator<[Element]> { elements.makeIterator() }
}
