import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// One reply of an SMTP server: its code and its lines (a multi-line reply repeats the code
/// with `-` on every line but the last, RFC 5321 4.2).
public struct SMTPReply: Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    public var isPositive: Bool { (200..<400).contains(code) }
    public var isTransientFailure: Bool { (400..<500).contains(code) }

    /// `250 first line / second line`.
    public var description: String {
        "\(code) " + lines.filter { !$0.isEmpty }.joined(separator: " / ")
    }
}

/// The parts of SMTP that need no network: reading replies from lines, the server's
/// extensions, AUTH's encodings and DATA's dot-stuffing.
enum SMTPProtocol {
    /// The longest reply line read (RFC 5321 allows 512; servers write longer).
    static let maximumLineLength = 4_096

    enum LineError: Error, Equatable {
        case malformed(String)
        case tooLong
    }

    /// Collects reply lines until a reply is complete.
    struct ReplyAssembler {
        private var lines: [String] = []
        private var code: Int?

        /// Takes one line (without its CRLF); returns the reply it completes, if any.
        mutating func take(_ line: String) throws(LineError) -> SMTPReply? {
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, bytes[0...2].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                  let lineCode = Int(String(decoding: bytes[0...2], as: UTF8.self)),
                  bytes.count == 3 || bytes[3] == UInt8(ascii: " ") || bytes[3] == UInt8(ascii: "-")
            else { throw .malformed(String(line.prefix(80))) }
            if let code, code != lineCode { throw .malformed(String(line.prefix(80))) }
            code = lineCode
            lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            if bytes.count > 3 && bytes[3] == UInt8(ascii: "-") { return nil }
            let reply = SMTPReply(code: lineCode, lines: lines)
            lines = []
            code = nil
            return reply
        }
    }

    /// The extensions an EHLO reply names, upper-cased keyword first: `["STARTTLS": [], "AUTH": ["PLAIN", "LOGIN"]]`.
    static func extensions(of reply: SMTPReply) -> [String: [String]] {
        var result: [String: [String]] = [:]
        for line in reply.lines.dropFirst() {
            // Old servers write `AUTH=LOGIN PLAIN`.
            let words = line.replacingOccurrences(of: "=", with: " ").split(separator: " ").map { $0.uppercased() }
            guard let keyword = words.first else { continue }
            result[keyword, default: []] += words.dropFirst()
        }
        return result
    }

    /// AUTH PLAIN's initial response (RFC 4616): base64 of NUL, user, NUL, password.
    static func plainCredentials(username: String, password: String) -> String {
        Data([0] + Array(username.utf8) + [0] + Array(password.utf8)).base64EncodedString()
    }

    static func base64(_ text: String) -> String {
        Data(text.utf8).base64EncodedString()
    }

    /// The message for DATA: every line that starts with a dot gets another one (RFC 5321
    /// 4.5.2), the message ends with CRLF, then the lone dot that ends the data.
    static func dataPayload(_ message: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(message.count + 64)
        var atLineStart = true
        for byte in message {
            if atLineStart && byte == UInt8(ascii: ".") { result.append(UInt8(ascii: ".")) }
            result.append(byte)
            atLineStart = byte == 0x0A
        }
        if !result.isEmpty && !(result.count >= 2 && result[result.count - 2] == 0x0D && result[result.count - 1] == 0x0A) {
            result += [0x0D, 0x0A]
        }
        result += Array(".\r\n".utf8)
        return result
    }

    /// An SMTP path: `<address>`.
    static func path(_ address: String) -> String { "<\(address)>" }
}

/// The replies read from one connection, handed to the session one at a time, each within a
/// time limit. Filled by ``SMTPReplyDecoder`` on the channel's event loop.
final class SMTPReplies: @unchecked Sendable {
    private struct State {
        var ready: [SMTPReply] = []
        var finished: (any Error)?
        var waiter: CheckedContinuation<SMTPReply, any Error>?
        var waiterNumber = 0
    }

    struct Timeout: Error {}
    struct Closed: Error {}

    private let state = NIOLockedValueBox(State())

    func push(_ reply: SMTPReply) {
        let waiter: CheckedContinuation<SMTPReply, any Error>? = state.withLockedValue { state in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.ready.append(reply)
            return nil
        }
        waiter?.resume(returning: reply)
    }

    /// Why the connection failed, once it has.
    var failure: (any Error)? {
        state.withLockedValue { $0.finished }
    }

    /// No more replies will come: the connection closed or failed.
    func finish(_ error: any Error) {
        let waiter: CheckedContinuation<SMTPReply, any Error>? = state.withLockedValue { state in
            if state.finished == nil { state.finished = error }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }

    /// The next reply, or the connection's error, or ``Timeout`` after `timeout`.
    func next(timeout: TimeAmount, on eventLoop: any EventLoop) async throws -> SMTPReply {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<SMTPReply, any Error>) in
            let outcome: Result<SMTPReply, any Error>? = state.withLockedValue { state in
                if !state.ready.isEmpty { return .success(state.ready.removeFirst()) }
                if let finished = state.finished { return .failure(finished) }
                state.waiter = continuation
                state.waiterNumber += 1
                return nil
            }
            if let outcome {
                continuation.resume(with: outcome)
                return
            }
            let number = state.withLockedValue { $0.waiterNumber }
            eventLoop.scheduleTask(in: timeout) { [self] in
                let waiter: CheckedContinuation<SMTPReply, any Error>? = state.withLockedValue { state in
                    guard state.waiterNumber == number, let waiter = state.waiter else { return nil }
                    state.waiter = nil
                    return waiter
                }
                waiter?.resume(throwing: Timeout())
            }
        }
    }
}

/// Splits what the server writes into lines and lines into replies.
final class SMTPReplyDecoder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let replies: SMTPReplies
    private var pending: [UInt8] = []
    private var assembler = SMTPProtocol.ReplyAssembler()

    init(replies: SMTPReplies) {
        self.replies = replies
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        while let newline = pending.firstIndex(of: 0x0A) {
            var line = Array(pending[..<newline])
            pending.removeFirst(newline + 1)
            if line.last == 0x0D { line.removeLast() }
            do {
                if let reply = try assembler.take(String(decoding: line, as: UTF8.self)) { replies.push(reply) }
            } catch {
                replies.finish(error)
                context.close(promise: nil)
                return
            }
        }
        if pending.count > SMTPProtocol.maximumLineLength {
            replies.finish(SMTPProtocol.LineError.tooLong)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        replies.finish(SMTPReplies.Closed())
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        replies.finish(error)
        context.close(promise: nil)
    }
}
