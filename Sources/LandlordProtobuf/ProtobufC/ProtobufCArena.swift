internal import CLandlordProto  // see ProtobufC.swift
internal import CProtobufC

/// Scratch C memory for building a protobuf-c message from Swift values before packing it, and
/// for the messages protobuf-c unpacks.
///
/// Everything allocated here (sub-messages, strings, arrays) is freed together when the arena goes
/// away, which ``ProtobufC/encode(_:_:)`` arranges right after packing. An arena is confined to
/// the encoding call that created it.
///
/// The generic helpers are `@inlinable`: specialized in the module that builds a message, they run
/// without run-time generic metadata lookups (the encoding hot path of every response). They are
/// `public`, not `package`: Swift 6.3 specializes `@inlinable` code in other modules only when it
/// is public. No library product exports this module, so nothing leaves the package.
public final class ProtobufCArena {
    /// Where the next small value is carved from.
    @usableFromInline struct Cursor {
        var block: UnsafeMutableRawPointer
        var used: Int
        var capacity: Int
    }

    /// The cursor lives at the start of the scratch memory and is reached through a constant
    /// pointer: carving a value (a dozen times per message) needs none of the run-time
    /// exclusivity checks an access to a class's `var` costs.
    @usableFromInline let cursor: UnsafeMutablePointer<Cursor>
    /// Memory this arena allocated (blocks after the scratch, large values): freed with it.
    @usableFromInline var allocations: [UnsafeMutableRawPointer] = []

    /// An arena whose first block is `scratch`, memory it does not own (the caller's stack in
    /// ``ProtobufC/encode(_:_:)`` and ``ProtobufC/withDecoded(_:from:_:)``): a small message then
    /// needs no `malloc` at all. The arena must not be used once `scratch` is gone.
    ///
    /// - Precondition: `scratch` is 16-byte aligned and larger than 64 bytes.
    @usableFromInline init(scratch: UnsafeMutableRawBufferPointer) {
        let header = (MemoryLayout<Cursor>.stride + Self.blockAlignment - 1) & ~(Self.blockAlignment - 1)
        precondition(scratch.count > header + 32, "arena scratch too small")
        let base = scratch.baseAddress!
        self.cursor = base.bindMemory(to: Cursor.self, capacity: 1)
        self.cursor.initialize(to: Cursor(block: base + header, used: 0, capacity: scratch.count - header))
    }

    deinit {
        for allocation in allocations {
            allocation.deallocate()
        }
    }

    /// A new message of `type`, initialized with its field defaults.
    @inlinable
    public func message<Message>(_ type: ProtobufCMessageType<Message>) -> UnsafeMutablePointer<Message> {
        let message = allocate(Message.self, count: 1)
        type.initialize(message)
        return message
    }

    /// A `repeated` message or `map` field: one new message of `type` per element, each filled in
    /// by `fill`. Assign `count` to `n_x` and `pointer` to `x`.
    @inlinable
    public func messages<Message, Element>(
        _ type: ProtobufCMessageType<Message>,
        _ elements: some Collection<Element>,
        _ fill: (_ message: inout Message, _ element: Element) -> Void
    ) -> (count: Int, pointer: UnsafeMutablePointer<UnsafeMutablePointer<Message>?>?) {
        guard !elements.isEmpty else { return (0, nil) }
        let count = elements.count
        let pointers = allocate(UnsafeMutablePointer<Message>?.self, count: count)
        var index = 0
        for element in elements {
            let message = self.message(type)
            fill(&message.pointee, element)
            pointers[index] = message
            index += 1
        }
        return (count, pointers)
    }

    /// A `map<string, string>` field, written sorted by key (deterministic bytes), given the
    /// entry's type and fields. Assign `count` to `n_x` and `pointer` to `x`.
    @inlinable
    public func stringMap<Entry>(
        _ type: ProtobufCMessageType<Entry>,
        _ map: [String: String],
        key: WritableKeyPath<Entry, UnsafeMutablePointer<CChar>?>,
        value: WritableKeyPath<Entry, UnsafeMutablePointer<CChar>?>
    ) -> (count: Int, pointer: UnsafeMutablePointer<UnsafeMutablePointer<Entry>?>?) {
        func fill(_ entry: inout Entry, _ element: (key: String, value: String)) {
            entry[keyPath: key] = string(element.key)
            entry[keyPath: value] = string(element.value)
        }
        // Sorted for deterministic bytes; a map of one entry (the usual metadata) needs no sort.
        if map.count <= 1 {
            return messages(type, map, fill)
        }
        return messages(type, map.sorted { $0.key < $1.key }, fill)
    }

    /// A `string` field. protobuf-c strings end at the first NUL, so a string containing U+0000 is
    /// cut there.
    public func string(_ value: String) -> UnsafeMutablePointer<CChar> {
        var value = value
        return value.withUTF8 { utf8 in
            let copy = allocate(CChar.self, count: utf8.count + 1)
            if let source = utf8.baseAddress {
                UnsafeMutableRawPointer(copy).copyMemory(from: source, byteCount: utf8.count)
            }
            copy[utf8.count] = 0
            return copy
        }
    }

    /// A `repeated string` field. Assign `count` to `n_x` and `pointer` to `x`.
    @inlinable
    public func strings(
        _ values: some Collection<String>
    ) -> (count: Int, pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) {
        guard !values.isEmpty else { return (0, nil) }
        let count = values.count
        let pointers = allocate(UnsafeMutablePointer<CChar>?.self, count: count)
        var index = 0
        for value in values {
            pointers[index] = string(value)
            index += 1
        }
        return (count, pointers)
    }

    /// The data of a `bytes` field (`ProtobufCBinaryData(len: count, data: pointer)`).
    @inlinable
    public func bytes(_ value: some Collection<UInt8>) -> (count: Int, pointer: UnsafeMutablePointer<UInt8>?) {
        array(value)
    }

    /// A `repeated` scalar field. Assign `count` to `n_x` and `pointer` to `x`.
    @inlinable
    public func array<Element>(
        _ values: some Collection<Element>
    ) -> (count: Int, pointer: UnsafeMutablePointer<Element>?) {
        guard !values.isEmpty else { return (0, nil) }
        let copy = allocate(Element.self, count: values.count)
        _ = UnsafeMutableBufferPointer(start: copy, count: values.count).initialize(from: values)
        return (values.count, copy)
    }

    // MARK: - Internal

    /// A `bytes` field.
    func binaryData(_ value: some Collection<UInt8>) -> ProtobufCBinaryData {
        let (count, pointer) = bytes(value)
        return ProtobufCBinaryData(len: count, data: pointer)
    }

    /// A `repeated bytes` field. Assign `count` to `n_x` and `pointer` to `x`.
    func binaryData(
        _ values: some Collection<[UInt8]>
    ) -> (count: Int, pointer: UnsafeMutablePointer<ProtobufCBinaryData>?) {
        array(values.map { binaryData($0) })
    }

    /// Zeroed, uninitialized-as-Swift memory for `count` trivial C values.
    @inlinable
    func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocateZeroed(byteCount: MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: count)
    }

    /// `byteCount` zeroed bytes: small ones carved from the current block, large ones allocated
    /// on their own.
    @usableFromInline
    func allocateZeroed(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let raw: UnsafeMutableRawPointer
        if byteCount <= Self.largeAllocation, alignment <= Self.blockAlignment {
            // Small values (sub-messages, strings, pointer arrays) come from a shared block: one
            // malloc for a whole message instead of one per value.
            let cursor = self.cursor
            var offset = (cursor.pointee.used + alignment - 1) & ~(alignment - 1)
            if offset + byteCount > cursor.pointee.capacity {
                let block = UnsafeMutableRawPointer.allocate(byteCount: Self.blockSize, alignment: Self.blockAlignment)
                self.allocations.append(block)
                cursor.pointee = Cursor(block: block, used: 0, capacity: Self.blockSize)
                offset = 0
            }
            raw = cursor.pointee.block + offset
            cursor.pointee.used = offset + byteCount
        } else {
            raw = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: alignment)
            self.allocations.append(raw)
        }
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: byteCount)
        return raw
    }

    /// The size of the blocks small values are carved from.
    private static let blockSize = 2048
    /// The size of the scratch block ``ProtobufC/encode(_:_:)`` starts an arena with.
    @usableFromInline static let scratchSize = 1024
    /// Values larger than this get an allocation of their own.
    private static let largeAllocation = 512
    private static let blockAlignment = 16
}
