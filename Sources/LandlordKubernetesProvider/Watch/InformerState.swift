/// What an informer does after a list, an event or the end of a watch.
enum InformerAction: Sendable, Equatable {
    /// Go on reading the stream.
    case `continue`
    /// List again, then watch from the list's version.
    case relist
    /// Wait (backing off), then watch again from the last version.
    case rewatch
}

/// The cache of one kind fed by LIST and WATCH, as a pure state machine: the informer's loop
/// feeds it lists and events and does what the returned action says.
///
/// The rules are client-go's reflector's: a list replaces the cache and gives the resource
/// version to watch from; every event moves that version forward; a `410 Gone` (the version is
/// older than the server keeps) or an event that cannot be read means relisting; a watch that
/// simply ends is resumed from the last version.
struct InformerState<Object: Decodable & Sendable>: Sendable {

    private(set) var objects: [ObjectKey: Object] = [:]
    /// The names in ``objects`` by namespace (status reads one tenant's pods without scanning all).
    private(set) var namesByNamespace: [String: Set<String>] = [:]
    /// The version to watch from; `nil` until the first list.
    private(set) var resourceVersion: String?
    /// Counts every change of ``objects`` (readers can tell whether anything changed).
    private(set) var generation: UInt64 = 0
    /// Whether a list has filled the cache.
    var hasSynced: Bool { self.resourceVersion != nil }

    /// A list answered `items` at `resourceVersion`: they are the cache now.
    mutating func replace(with items: [(ObjectKey, Object)], resourceVersion: String) {
        self.objects = Dictionary(items, uniquingKeysWith: { _, last in last })
        self.namesByNamespace = [:]
        for key in self.objects.keys { self.namesByNamespace[key.namespace, default: []].insert(key.name) }
        self.resourceVersion = resourceVersion
        self.generation &+= 1
    }

    /// The objects of `namespace`, sorted by name.
    func objects(inNamespace namespace: String) -> [Object] {
        (self.namesByNamespace[namespace] ?? []).sorted().compactMap {
            self.objects[ObjectKey(namespace: namespace, name: $0)]
        }
    }

    /// Applies one event of the watch.
    mutating func apply(_ event: WatchEvent<Object>) -> InformerAction {
        switch event {
        case .added(let key, let version, let object), .modified(let key, let version, let object):
            self.objects[key] = object
            self.namesByNamespace[key.namespace, default: []].insert(key.name)
            self.resourceVersion = version
            self.generation &+= 1
            return .continue
        case .deleted(let key, let version, _):
            if self.objects.removeValue(forKey: key) != nil {
                self.generation &+= 1
                self.namesByNamespace[key.namespace]?.remove(key.name)
                if self.namesByNamespace[key.namespace]?.isEmpty == true { self.namesByNamespace[key.namespace] = nil }
            }
            self.resourceVersion = version
            return .continue
        case .bookmark(let version):
            self.resourceVersion = version
            return .continue
        case .error(let code, _, _):
            return code == 410 ? .relist : .rewatch
        }
    }

    /// What to do when the watch request answered `status` instead of streaming.
    static func action(forWatchStatus status: Int) -> InformerAction {
        status == 410 ? .relist : .rewatch
    }
}
