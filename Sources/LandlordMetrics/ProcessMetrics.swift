#if canImport(Glibc)
import Glibc
#endif

/// The standard process metrics, read from `/proc` when a scrape asks (nothing runs in between):
/// `process_cpu_seconds_total`, `process_resident_memory_bytes`, `process_virtual_memory_bytes`,
/// `process_open_fds`, `process_max_fds` and `process_start_time_seconds`, as the Prometheus
/// client libraries name them. Off Linux there is no `/proc` and nothing is written.
package struct ProcessMetrics: Sendable {
    /// What one reading of `/proc` gives.
    package struct Sample: Equatable, Sendable {
        package var cpuSeconds: Double
        package var residentMemoryBytes: Double
        package var virtualMemoryBytes: Double
        package var startTimeSeconds: Double
        package var openFileDescriptors: Double
        package var maxFileDescriptors: Double?
    }

    package init() {}

    /// Reads the process's figures now; `nil` when `/proc` cannot be read.
    package func sample() -> Sample? {
        #if canImport(Glibc)
        guard let stat = Self.readFile("/proc/self/stat"), let fields = Self.statFields(stat),
            let bootTime = Self.readFile("/proc/stat").flatMap(Self.bootTime)
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        var limit = rlimit()
        let maxFDs: Double? = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 && limit.rlim_cur != rlim_t.max ? Double(limit.rlim_cur) : nil
        return Sample(
            cpuSeconds: (fields.userTicks + fields.systemTicks) / ticks,
            residentMemoryBytes: fields.residentPages * pageSize,
            virtualMemoryBytes: fields.virtualBytes,
            startTimeSeconds: bootTime + fields.startTicks / ticks,
            openFileDescriptors: Double(Self.openFileDescriptorCount()),
            maxFileDescriptors: maxFDs
        )
        #else
        return nil
        #endif
    }

    /// Appends the process metrics in the text format (0.0.4).
    package func emit(into buffer: inout [UInt8]) {
        guard let sample = sample() else { return }
        var text = ""
        func metric(_ name: String, _ type: String, _ help: String, _ value: Double) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n\(name) \(value)\n"
        }
        metric("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", sample.cpuSeconds)
        metric("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", sample.residentMemoryBytes)
        metric("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", sample.virtualMemoryBytes)
        metric(
            "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
            sample.startTimeSeconds
        )
        metric("process_open_fds", "gauge", "Number of open file descriptors.", sample.openFileDescriptors)
        if let max = sample.maxFileDescriptors {
            metric("process_max_fds", "gauge", "Maximum number of open file descriptors.", max)
        }
        buffer.append(contentsOf: text.utf8)
    }

    /// The fields of `/proc/self/stat` we use (proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24).
    struct StatFields: Equatable {
        var userTicks: Double
        var systemTicks: Double
        var startTicks: Double
        var virtualBytes: Double
        var residentPages: Double
    }

    /// Parses `/proc/PID/stat`; the command name (field 2) may hold spaces and parentheses, so the
    /// fields are counted from the last `)`.
    static func statFields(_ stat: String) -> StatFields? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        // After ")": field 3 (state) is at index 0.
        let rest = stat[stat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        func field(_ number: Int) -> Double? {
            let index = number - 3
            return index < rest.count ? Double(rest[index]) : nil
        }
        guard let user = field(14), let system = field(15), let start = field(22), let virtual = field(23),
            let resident = field(24)
        else { return nil }
        return StatFields(userTicks: user, systemTicks: system, startTicks: start, virtualBytes: virtual, residentPages: resident)
    }

    /// The `btime` line of `/proc/stat`: the boot time, in seconds since the epoch.
    static func bootTime(_ stat: String) -> Double? {
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst("btime ".count).trimmingCharacters())
        }
        return nil
    }

    #if canImport(Glibc)
    /// A small file of `/proc`, whole (their sizes read as 0, so read until the end).
    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > 1 << 20 { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Entries of `/proc/self/fd`, less the one the listing itself opens.
    static func openFileDescriptorCount() -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in name[0] == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return max(0, count - 1)
    }
    #endif
}

extension Substring {
    fileprivate func trimmingCharacters() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result = result.dropFirst() }
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result = result.dropLast() }
        return result
    }
}
