import Foundation

/// The CPUs this process may run on.
package enum CPUAffinity {
    /// How many CPUs the process's affinity mask allows (`taskset`, systemd's `CPUAffinity=`, a
    /// cgroup cpuset), read from `/proc/self/status`; the online CPUs where that cannot be read.
    package static var allowedCPUCount: Int {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
            let count = cpuCount(ofList: line.dropFirst("Cpus_allowed_list:".count))
        {
            return count
        }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }

    /// The number of CPUs in a kernel CPU list such as `0-3,8,10-11`; nil if it is not one.
    package static func cpuCount(ofList list: Substring) -> Int? {
        var count = 0
        for part in list.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false)
                .map { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                count += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                count += high - low + 1
            default:
                return nil
            }
        }
        return count > 0 ? count : nil
    }
}
