/// Readable lines from a job plan's diff, for changes made to a job outside landlord (the spec
/// stored in its meta is unchanged, but Nomad's job differs from the one landlord would write).
///
/// Values are shown only for fields that cannot hold environment values or secrets: `Env`,
/// `Meta` and template fields are reported as changed, without values.
package enum PlanChanges {
    /// `nomad: <path>: old -> new` (or `: changed`) per edited field of `diff`.
    package static func describe(_ diff: NomadJobDiff) -> [String] {
        var lines: [String] = []
        func add(_ path: String, _ fields: [NomadFieldDiff]?, _ objects: [NomadObjectDiff]?) {
            for field in fields ?? [] where field.type != "None" {
                let name = path.isEmpty ? field.name : "\(path).\(field.name)"
                if Self.isSensitive(name) {
                    lines.append("nomad: \(name): changed")
                } else {
                    lines.append("nomad: \(name): \(Self.show(field.old)) -> \(Self.show(field.new))")
                }
            }
            for object in objects ?? [] where object.type != "None" {
                add(path.isEmpty ? object.name : "\(path).\(object.name)", object.fields, object.objects)
            }
        }
        add("job", diff.fields, diff.objects)
        for group in diff.taskGroups ?? [] where group.type != "None" {
            let path = "task_groups[\(group.name)]"
            if group.type == "Added" || group.type == "Deleted" {
                lines.append("nomad: \(path): \(group.type.lowercased())")
                continue
            }
            add(path, group.fields, group.objects)
            for task in group.tasks ?? [] where task.type != "None" {
                let taskPath = "\(path).tasks[\(task.name)]"
                if task.type == "Added" || task.type == "Deleted" {
                    lines.append("nomad: \(taskPath): \(task.type.lowercased())")
                    continue
                }
                add(taskPath, task.fields, task.objects)
            }
        }
        return lines
    }

    private static func isSensitive(_ name: String) -> Bool {
        ["Env", "Meta", "Template", "EmbeddedTmpl"].contains { name.contains($0) }
    }

    private static func show(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "(none)" }
        return value.count > 80 ? String(value.prefix(80)) + "..." : value
    }
}
