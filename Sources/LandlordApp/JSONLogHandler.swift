import Foundation
package import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line to standard error:
/// `{"timestamp":…,"level":…,"label":…,"message":…,"source":…, <metadata…>}`.
package struct JSONLogHandler: LogHandler {
    package var logLevel: Logger.Level = .info
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String

    /// Serialises whole lines so concurrent writers never interleave.
    private static let output = Mutex(FileHandle.standardError)

    package init(label: String, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        var line = "{"
        Self.appendField("timestamp", Date().formatted(.iso8601), to: &line)
        Self.appendField("level", event.level.rawValue, to: &line)
        Self.appendField("label", label, to: &line)
        Self.appendField("message", event.message.description, to: &line)
        Self.appendField("source", event.source, to: &line)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            Self.appendField(key, value.description, to: &line)
        }
        line.removeLast()
        line += "}\n"
        let data = Data(line.utf8)
        Self.output.withLock { $0.write(data) }
    }

    private static func appendField(_ key: String, _ value: String, to line: inout String) {
        appendString(key, to: &line)
        line += ":"
        appendString(value, to: &line)
        line += ","
    }

    /// A JSON string literal (RFC 8259 escaping).
    package static func appendString(_ value: String, to line: inout String) {
        line += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20:
                line += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: line.unicodeScalars.append(scalar)
            }
        }
        line += "\""
    }
}
