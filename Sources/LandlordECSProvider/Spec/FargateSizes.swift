/// The task sizes Fargate accepts: a CPU amount (in CPU units, 1024 per vCPU) and the memory
/// amounts (MiB) allowed with it.
///
/// | CPU units (vCPU) | memory (MiB) |
/// |---|---|
/// | 256 (.25) | 512, 1024, 2048 |
/// | 512 (.5) | 1024 to 4096 in steps of 1024 |
/// | 1024 (1) | 2048 to 8192 in steps of 1024 |
/// | 2048 (2) | 4096 to 16384 in steps of 1024 |
/// | 4096 (4) | 8192 to 30720 in steps of 1024 |
/// | 8192 (8) | 16384 to 61440 in steps of 4096 |
/// | 16384 (16) | 32768 to 122880 in steps of 8192 |
///
/// A spec's CPU is millicores (1000 per vCPU): 250, 500, 1000, 2000, 4000, 8000 and 16000
/// millicores are the Fargate amounts.
package enum FargateSizes {
    /// One valid size.
    package struct Size: Sendable, Hashable, CustomStringConvertible {
        /// CPU units.
        package var cpuUnits: Int
        /// MiB.
        package var memory: Int
        /// The CPU in millicores.
        package var millicores: Int { self.cpuUnits * 1000 / 1024 }
        package var description: String {
            "cpu \(self.millicores) (\(self.cpuUnits) CPU units) with memory \(self.memory)"
        }
    }

    /// Every valid size, by CPU then memory.
    package static let all: [Size] = {
        let table: [(Int, [Int])] = [
            (256, [512, 1024, 2048]),
            (512, Array(stride(from: 1024, through: 4096, by: 1024))),
            (1024, Array(stride(from: 2048, through: 8192, by: 1024))),
            (2048, Array(stride(from: 4096, through: 16384, by: 1024))),
            (4096, Array(stride(from: 8192, through: 30720, by: 1024))),
            (8192, Array(stride(from: 16384, through: 61440, by: 4096))),
            (16384, Array(stride(from: 32768, through: 122880, by: 8192))),
        ]
        return table.flatMap { cpu, memories in memories.map { Size(cpuUnits: cpu, memory: $0) } }
    }()

    /// CPU units of `millicores` (1000 millicores are 1024 units), rounded.
    package static func cpuUnits(millicores: Int) -> Int {
        (millicores * 1024 + 500) / 1000
    }

    /// Whether `millicores` and `memory` are a Fargate size.
    package static func isValid(millicores: Int, memory: Int) -> Bool {
        Self.all.contains(Size(cpuUnits: Self.cpuUnits(millicores: millicores), memory: memory))
    }

    /// The valid size closest to the requested CPU and memory (the smallest sum of the relative
    /// differences of both; on a tie, the larger size).
    package static func nearest(millicores: Int, memory: Int) -> Size {
        let units = Double(max(Self.cpuUnits(millicores: millicores), 1))
        let mebibytes = Double(max(memory, 1))
        func distance(_ size: Size) -> Double {
            abs(Double(size.cpuUnits) - units) / units + abs(Double(size.memory) - mebibytes) / mebibytes
        }
        return Self.all.min { distance($0) < distance($1) || distance($0) == distance($1) && $0.memory > $1.memory }!
    }
}
