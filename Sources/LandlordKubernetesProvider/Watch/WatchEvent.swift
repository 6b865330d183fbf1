internal import Foundation

/// One event of a Kubernetes watch stream: a line `{"type": ..., "object": ...}` of the
/// newline-delimited JSON the API server sends for `?watch=true`.
enum WatchEvent<Object: Decodable & Sendable>: Sendable {
    /// An object was created, changed (or, right after a watch starts, already existed).
    case added(ObjectKey, resourceVersion: String, Object)
    case modified(ObjectKey, resourceVersion: String, Object)
    /// An object was deleted; `Object` is its last state.
    case deleted(ObjectKey, resourceVersion: String, Object)
    /// Nothing changed up to `resourceVersion` (`allowWatchBookmarks`): resume from there.
    case bookmark(resourceVersion: String)
    /// The server ended the watch with a `Status`: 410 Gone means the resource version is too
    /// old and the client must list again.
    case error(code: Int, reason: String, message: String)

    /// A line the decoder could not read, with why (never the line: it may hold a Secret).
    struct Malformed: Error, Sendable, CustomStringConvertible {
        var reason: String
        var description: String { "malformed watch event: \(self.reason)" }
    }

    private struct Envelope: Decodable {
        var type: String
        var object: ObjectHeader?
    }

    private struct StatusEnvelope: Decodable {
        struct Status: Decodable {
            var code: Int?
            var reason: String?
            var message: String?
        }
        var object: Status?
    }

    private struct ObjectEnvelope: Decodable {
        var object: Object
    }

    /// Decodes one line of a watch stream.
    static func decode(_ line: Data, decoder: JSONDecoder = JSONDecoder()) throws(Malformed) -> WatchEvent {
        let envelope: Envelope
        do {
            envelope = try decoder.decode(Envelope.self, from: line)
        } catch {
            throw Malformed(reason: "not a watch event object")
        }
        if envelope.type == "ERROR" {
            let status = try? decoder.decode(StatusEnvelope.self, from: line).object
            return .error(code: status?.code ?? 0, reason: status?.reason ?? "", message: status?.message ?? "")
        }
        guard let resourceVersion = envelope.object?.metadata?.resourceVersion else {
            throw Malformed(reason: "\(envelope.type) event without metadata.resourceVersion")
        }
        if envelope.type == "BOOKMARK" { return .bookmark(resourceVersion: resourceVersion) }
        guard let key = envelope.object?.key else {
            throw Malformed(reason: "\(envelope.type) event without metadata.name")
        }
        let object: Object
        do {
            object = try decoder.decode(ObjectEnvelope.self, from: line).object
        } catch {
            throw Malformed(reason: "\(envelope.type) event of \(key): the object does not decode")
        }
        switch envelope.type {
        case "ADDED": return .added(key, resourceVersion: resourceVersion, object)
        case "MODIFIED": return .modified(key, resourceVersion: resourceVersion, object)
        case "DELETED": return .deleted(key, resourceVersion: resourceVersion, object)
        default: throw Malformed(reason: "unknown event type \"\(envelope.type.prefix(20))\"")
        }
    }
}
