package import LandlordProtobuf
package import LandlordRPC

/// `grpc.reflection.v1.ServerReflection` and `grpc.reflection.v1alpha.ServerReflection`,
/// answering from a serialized `FileDescriptorSet`, so that tools such as
/// grpcurl need no local `.proto` files.
///
/// Supports list_services, file_by_filename and file_containing_symbol (each
/// file answered with all its transitive dependencies), file_containing_extension
/// and all_extension_numbers_of_type.
package struct ReflectionService: RPCService {
    /// The services reflection registers itself as, one per API version.
    package static let serviceNames = ReflectionAPIVersion.allCases.map(\.serviceName)

    private let index: FileDescriptorSetIndex
    private let listedServices: [String]

    /// - Parameters:
    ///   - index: the descriptors of every file the server's services use.
    ///   - serviceNames: what list_services reports: the services the server serves.
    package init(index: FileDescriptorSetIndex, serviceNames: [String]) {
        self.index = index
        self.listedServices = Array(Set(serviceNames)).sorted()
    }

    package func registerMethods(with router: inout RPCRouter) {
        for version in ReflectionAPIVersion.allCases {
            router.registerBidirectionalStreaming(
                MethodDescriptor(service: version.serviceName, method: "ServerReflectionInfo"),
                decode: { try ServerReflectionRequest(serializedBytes: $0, version: version) },
                encode: { $0.serializedBytes(version: version) }
            ) { requests, writer, _ in
                for try await request in requests {
                    try await writer.write(answer(request))
                }
            }
        }
    }

    /// The response to one reflection request.
    package func answer(_ request: ServerReflectionRequest) -> ServerReflectionResponse {
        ServerReflectionResponse(validHost: request.host, originalRequest: request, messageResponse: response(to: request))
    }

    private func response(to request: ServerReflectionRequest) -> ServerReflectionResponse.MessageResponse {
        switch request.messageRequest {
        case .listServices:
            return .listServicesResponse(listedServices)
        case .fileByFilename(let name):
            guard index.file(named: name) != nil else { return notFound("file \"\(name)\" not found") }
            return files(startingWith: name)
        case .fileContainingSymbol(let symbol):
            guard let file = index.file(containingSymbol: symbol) else { return notFound("symbol \"\(symbol)\" not found") }
            return files(startingWith: file.name)
        case .fileContainingExtension(let containingType, let number):
            guard let file = index.file(containingExtensionOf: containingType, number: number) else {
                return notFound("extension \(number) of \"\(containingType)\" not found")
            }
            return files(startingWith: file.name)
        case .allExtensionNumbersOfType(let type):
            guard index.file(containingSymbol: type) != nil else { return notFound("type \"\(type)\" not found") }
            return .allExtensionNumbersResponse(baseTypeName: type, extensionNumbers: index.extensionNumbers(of: type))
        case nil:
            return .errorResponse(code: Int32(StatusCode.invalidArgument.rawValue), message: "empty reflection request")
        }
    }

    /// The named file first, then every file it depends on, each once.
    private func files(startingWith name: String) -> ServerReflectionResponse.MessageResponse {
        let all = index.transitiveDependencies(of: name)
        let ordered = all.filter { $0.name == name } + all.filter { $0.name != name }
        return .fileDescriptorResponse(ordered.map(\.serializedBytes))
    }

    private func notFound(_ message: String) -> ServerReflectionResponse.MessageResponse {
        .errorResponse(code: Int32(StatusCode.notFound.rawValue), message: message)
    }
}
