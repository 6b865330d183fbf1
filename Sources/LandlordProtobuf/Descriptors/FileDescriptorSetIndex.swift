internal import CLandlordProto
internal import CProtobufC

/// An index of a serialized `google.protobuf.FileDescriptorSet`, answering the questions of the
/// reflection service: which file has this name, which file defines this symbol, what does a file
/// depend on.
///
/// ```swift
/// let index = LandlordDescriptorSet.index
/// let file = index.file(containingSymbol: "grpc.health.v1.Health.Check")  // grpc/health/v1/health.proto
/// let answer = index.transitiveDependencies(of: file!.name).map(\.serializedBytes)
/// ```
package struct FileDescriptorSetIndex: Sendable {
    /// One `google.protobuf.FileDescriptorProto` of the set.
    package struct File: Hashable, Sendable {
        /// The file's name, relative to its import root, e.g. `grpc/health/v1/health.proto`.
        package var name: String
        /// The protobuf package, e.g. `grpc.health.v1` (empty for none).
        package var package: String
        /// Names of the files it imports directly, in declaration order.
        package var dependencies: [String]
        /// The serialized `FileDescriptorProto`, as reflection sends it.
        package var serializedBytes: [UInt8]
        /// Fully qualified names (without a leading dot) of everything the file defines: messages
        /// and enums (nested ones too), fields, oneofs, enum values (scoped like their enum, as in
        /// protobuf), services, methods (`pkg.Service.Method`) and extensions.
        package var symbols: [String]
        /// Fully qualified names of the services the file defines.
        package var services: [String]
        /// The extensions the file defines.
        package var extensions: [Extension]
    }

    /// An extension field defined by a file.
    package struct Extension: Hashable, Sendable {
        /// Fully qualified name of the extension.
        package var name: String
        /// Fully qualified name of the extended message type (without a leading dot).
        package var extendedType: String
        /// The extension's field number.
        package var number: Int32
    }

    /// Every file of the set, in the set's order (protoc writes dependencies first).
    package let files: [File]

    private let fileIndexByName: [String: Int]
    private let fileIndexBySymbol: [String: Int]

    /// Reads a serialized `google.protobuf.FileDescriptorSet`.
    ///
    /// When several files share a name or a symbol (not the case in a set protoc wrote), the first
    /// one wins.
    ///
    /// - Throws: ``ProtobufDecodingError`` when the bytes are not a FileDescriptorSet.
    package init(serializedBytes: some Collection<UInt8>) throws {
        let files = try ProtobufC.withDecoded(Self.setType, from: Array(serializedBytes)) { set in
            ProtobufC.array(set.file, count: set.n_file).compactMap { file in
                file.map { File(decoded: $0) }
            }
        }
        var fileIndexByName: [String: Int] = [:]
        var fileIndexBySymbol: [String: Int] = [:]
        for (index, file) in files.enumerated() {
            if fileIndexByName[file.name] == nil {
                fileIndexByName[file.name] = index
            }
            for symbol in file.symbols where fileIndexBySymbol[symbol] == nil {
                fileIndexBySymbol[symbol] = index
            }
        }
        self.files = files
        self.fileIndexByName = fileIndexByName
        self.fileIndexBySymbol = fileIndexBySymbol
    }

    /// The file with this name, e.g. `grpc/health/v1/health.proto`.
    package func file(named name: String) -> File? {
        fileIndexByName[name].map { files[$0] }
    }

    /// The file defining this fully qualified symbol, e.g. `grpc.health.v1.Health`,
    /// `grpc.health.v1.Health.Check` or `grpc.health.v1.HealthCheckResponse.ServingStatus`.
    /// A leading dot is ignored.
    package func file(containingSymbol symbol: String) -> File? {
        let symbol = symbol.hasPrefix(".") ? String(symbol.dropFirst()) : symbol
        return fileIndexBySymbol[symbol].map { files[$0] }
    }

    /// The file defining the extension of `extendedType` with field number `number`.
    package func file(containingExtensionOf extendedType: String, number: Int32) -> File? {
        let extendedType = extendedType.hasPrefix(".") ? String(extendedType.dropFirst()) : extendedType
        return files.first { file in
            file.extensions.contains { $0.extendedType == extendedType && $0.number == number }
        }
    }

    /// The field numbers of every extension of `extendedType` in the set, sorted.
    package func extensionNumbers(of extendedType: String) -> [Int32] {
        let extendedType = extendedType.hasPrefix(".") ? String(extendedType.dropFirst()) : extendedType
        return files.flatMap { $0.extensions }.filter { $0.extendedType == extendedType }.map(\.number).sorted()
    }

    /// The file named `name` and every file it imports, directly or not: each file once,
    /// dependencies before the files importing them, `name` last. Empty when there is no such file;
    /// dependencies missing from the set are left out.
    package func transitiveDependencies(of name: String) -> [File] {
        var ordered: [File] = []
        var visited: Set<String> = []
        func visit(_ name: String) {
            guard visited.insert(name).inserted, let file = file(named: name) else { return }
            for dependency in file.dependencies {
                visit(dependency)
            }
            ordered.append(file)
        }
        visit(name)
        return ordered
    }

    /// Fully qualified names of every service in the set, sorted.
    package var serviceNames: [String] {
        files.flatMap(\.services).sorted()
    }

    // MARK: - Decoding

    static let setType = ProtobufCMessageType(google__protobuf__file_descriptor_set__init)
}

extension FileDescriptorSetIndex.File {
    fileprivate init(decoded pointer: UnsafeMutablePointer<Google__Protobuf__FileDescriptorProto>) {
        let file = pointer.pointee
        let package = ProtobufC.string(file.package)
        let scope = package.isEmpty ? "" : package + "."
        var symbols: [String] = []
        var services: [String] = []
        var extensions: [FileDescriptorSetIndex.Extension] = []

        func addExtensions(_ fields: [Google__Protobuf__FieldDescriptorProto], scope: String) {
            for field in fields {
                let name = scope + ProtobufC.string(field.name)
                symbols.append(name)
                var extendedType = ProtobufC.string(field.extendee)
                if extendedType.hasPrefix(".") {
                    extendedType.removeFirst()
                }
                extensions.append(.init(name: name, extendedType: extendedType, number: field.number))
            }
        }
        func addEnum(_ enumType: Google__Protobuf__EnumDescriptorProto, scope: String) {
            symbols.append(scope + ProtobufC.string(enumType.name))
            // Enum values are siblings of their enum (C++ scoping rules).
            symbols += ProtobufC.messages(enumType.value, count: enumType.n_value) {
                scope + ProtobufC.string($0.name)
            }
        }
        func addMessage(_ message: Google__Protobuf__DescriptorProto, scope: String) {
            let name = scope + ProtobufC.string(message.name)
            symbols.append(name)
            let inner = name + "."
            symbols += ProtobufC.messages(message.field, count: message.n_field) { inner + ProtobufC.string($0.name) }
            symbols += ProtobufC.messages(message.oneof_decl, count: message.n_oneof_decl) {
                inner + ProtobufC.string($0.name)
            }
            for nested in ProtobufC.messages(message.nested_type, count: message.n_nested_type, { $0 }) {
                addMessage(nested, scope: inner)
            }
            for enumType in ProtobufC.messages(message.enum_type, count: message.n_enum_type, { $0 }) {
                addEnum(enumType, scope: inner)
            }
            addExtensions(ProtobufC.messages(message.extension, count: message.n_extension, { $0 }), scope: inner)
        }

        for message in ProtobufC.messages(file.message_type, count: file.n_message_type, { $0 }) {
            addMessage(message, scope: scope)
        }
        for enumType in ProtobufC.messages(file.enum_type, count: file.n_enum_type, { $0 }) {
            addEnum(enumType, scope: scope)
        }
        for service in ProtobufC.messages(file.service, count: file.n_service, { $0 }) {
            let name = scope + ProtobufC.string(service.name)
            services.append(name)
            symbols.append(name)
            symbols += ProtobufC.messages(service.method, count: service.n_method) {
                name + "." + ProtobufC.string($0.name)
            }
        }
        addExtensions(ProtobufC.messages(file.extension, count: file.n_extension, { $0 }), scope: scope)

        self.init(
            name: ProtobufC.string(file.name),
            package: package,
            dependencies: ProtobufC.strings(file.dependency, count: file.n_dependency),
            serializedBytes: ProtobufC.encode(decoded: pointer),
            symbols: symbols,
            services: services,
            extensions: extensions
        )
    }
}
