import ArgumentParser
import CofferAgentProtocol

/// `--idle` and `--max`: how long the agent keeps the vault open.
struct TimerOptions: ParsableArguments {
    static let defaultIdle = 15 * 60
    static let defaultMax = 8 * 3600

    @Option(help: ArgumentHelp("Lock after this long without use (e.g. 90s, 15m, 1h; default 15m, or --max when shorter).", valueName: "duration"))
    var idle: String?

    @Option(help: ArgumentHelp("Lock this long after unlocking, used or not (e.g. 8h).", valueName: "duration"))
    var max: String = "8h"

    var idleSeconds: Int { idle.flatMap(DurationText.parse) ?? min(TimerOptions.defaultIdle, maxSeconds) }
    var maxSeconds: Int { DurationText.parse(max) ?? TimerOptions.defaultMax }

    func validate() throws {
        if let idle, DurationText.parse(idle) == nil { throw ValidationError("invalid --idle '\(idle)'; use e.g. 90s, 15m or 1h, at most 366d") }
        guard DurationText.parse(max) != nil else { throw ValidationError("invalid --max '\(max)'; use e.g. 8h, at most 366d") }
        // The absolute limit would end the session first: the idle limit would mean nothing.
        if let idle, idleSeconds > maxSeconds { throw ValidationError("--idle \(idle) is longer than --max \(max)") }
    }
}
