import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import SmarketingCore

/// Sends messages to an SMTP server (RFC 5321), one connection per message: the greeting,
/// EHLO, STARTTLS and EHLO again, AUTH PLAIN (or LOGIN when only that is offered), MAIL FROM,
/// RCPT TO for each recipient, DATA with dot-stuffing, QUIT. Every step has a time limit; a
/// failure says which step failed and whether a retry may help (``MailDeliveryError``).
public struct SMTPTransport: MailTransport {
    public let settings: SMTPSettings
    let group: any EventLoopGroup

    public init(_ settings: SMTPSettings, group: any EventLoopGroup) {
        self.settings = settings
        self.group = group
    }

    public var name: String { "smtp" }

    public func send(_ message: MailMessage) async throws -> MailDeliveryResult {
        let bytes: [UInt8]
        do {
            bytes = try MIMEMessage.render(message)
        } catch {
            throw MailDeliveryError(.permanent, step: "message", detail: "the message cannot be written: " + error.errors.map(\.field).joined(separator: ", "))
        }
        let session = try await SMTPSession.open(settings, group: group)
        do {
            let reply = try await session.deliver(from: message.from.email.value, to: message.recipients.map(\.value), data: bytes)
            await session.quit()
            return .sent(reply: reply.description)
        } catch {
            await session.close()
            throw Self.classify(error, settings: settings)
        }
    }

    /// Any error as a ``MailDeliveryError``: what the network or TLS threw, in words.
    static func classify(_ error: any Error, settings: SMTPSettings, step: String = "conversation") -> MailDeliveryError {
        switch error {
        case let error as MailDeliveryError:
            return error
        case is SMTPReplies.Timeout:
            return MailDeliveryError(.transient, step: step, detail: "no answer from \(settings.host):\(settings.port) within \(settings.timeoutSeconds) s")
        case is SMTPReplies.Closed:
            return MailDeliveryError(.transient, step: step, detail: "the server closed the connection")
        case let error as SMTPProtocol.LineError:
            return MailDeliveryError(.permanent, step: step, detail: "the server's reply is not SMTP (\(error))")
        case let error as NIOSSLError:
            return MailDeliveryError(.permanent, step: "TLS handshake", detail: "\(error) (check SMTP_CA_FILE or SMTP_TLS_VERIFY)")
        case let error as BoringSSLError:
            return MailDeliveryError(.permanent, step: "TLS handshake", detail: "\(error) (check SMTP_CA_FILE or SMTP_TLS_VERIFY)")
        case let error as NIOSSLExtraError:
            return MailDeliveryError(.permanent, step: "TLS handshake", detail: "\(error)")
        default:
            return MailDeliveryError(.transient, step: step, detail: "\(error)")
        }
    }
}

/// One SMTP connection, spoken in order.
struct SMTPSession {
    let settings: SMTPSettings
    let channel: any Channel
    let replies: SMTPReplies

    var timeout: TimeAmount { .seconds(Int64(settings.timeoutSeconds)) }

    /// Connects and reads the greeting.
    static func open(_ settings: SMTPSettings, group: any EventLoopGroup) async throws -> SMTPSession {
        let replies = SMTPReplies()
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(Int64(settings.timeoutSeconds)))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(SMTPReplyDecoder(replies: replies))
                    }
                }
                .connect(host: settings.host, port: settings.port)
                .get()
        } catch {
            throw MailDeliveryError(.transient, step: "connection", detail: "cannot connect to \(settings.host):\(settings.port): " + reason(error, settings))
        }
        let session = SMTPSession(settings: settings, channel: channel, replies: replies)
        do {
            _ = try await session.expect([220], step: "greeting")
        } catch {
            await session.close()
            throw SMTPTransport.classify(error, settings: settings, step: "greeting")
        }
        return session
    }

    /// Why a connection could not be made, in a few words (NIO's errors name every address tried).
    static func reason(_ error: any Error, _ settings: SMTPSettings) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return reason(first.error, settings) }
            return error.dnsAError.map { "\($0)" } ?? error.dnsAAAAError.map { "\($0)" } ?? "no address found"
        case let error as IOError:
            return String(cString: strerror(error.errnoCode)).lowercased()
        case let error as ChannelError:
            if case .connectTimeout = error { return "no connection within \(settings.timeoutSeconds) s" }
            return "\(error)"
        default:
            return "\(error)"
        }
    }

    /// EHLO, STARTTLS, AUTH, then the envelope and the data; the server's reply to the data.
    func deliver(from: String, to recipients: [String], data: [UInt8]) async throws -> SMTPReply {
        var extensions = try await hello()
        switch settings.startTLS {
        case .required:
            guard extensions["STARTTLS"] != nil else {
                throw MailDeliveryError(.permanent, step: "STARTTLS", detail: "\(settings.host) does not offer STARTTLS and SMTP_STARTTLS is required")
            }
            extensions = try await startTLS()
        case .ifOffered:
            if extensions["STARTTLS"] != nil { extensions = try await startTLS() }
        case .off:
            break
        }
        if let credentials = settings.credentials {
            try await authenticate(credentials, mechanisms: extensions["AUTH"] ?? [])
        }
        _ = try await command("MAIL FROM:" + SMTPProtocol.path(from), expect: [250], step: "MAIL FROM")
        for recipient in recipients {
            _ = try await command("RCPT TO:" + SMTPProtocol.path(recipient), expect: [250, 251], step: "RCPT TO \(recipient)")
        }
        _ = try await command("DATA", expect: [354], step: "DATA")
        try await write(SMTPProtocol.dataPayload(data))
        return try await expect([250], step: "message")
    }

    /// EHLO, or HELO from a server that does not know EHLO; the extensions it offers.
    private func hello() async throws -> [String: [String]] {
        try await write("EHLO \(settings.heloName)")
        let reply = try await replies.next(timeout: timeout, on: channel.eventLoop)
        if reply.code == 250 { return SMTPProtocol.extensions(of: reply) }
        if (500..<600).contains(reply.code) {
            _ = try await command("HELO \(settings.heloName)", expect: [250], step: "HELO")
            return [:]
        }
        throw failure(reply, step: "EHLO")
    }

    /// STARTTLS, the TLS handshake, and EHLO again over TLS (RFC 3207).
    private func startTLS() async throws -> [String: [String]] {
        _ = try await command("STARTTLS", expect: [220], step: "STARTTLS")
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch settings.verification {
        case .system: break
        case .caFile(let path): configuration.trustRoots = .file(path)
        case .none: configuration.certificateVerification = .none
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw MailDeliveryError(.permanent, step: "TLS setup", detail: "\(error) (check SMTP_CA_FILE)")
        }
        // A name for SNI and for checking the certificate; an IP address is checked as such.
        let host = settings.host
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        let channel = self.channel
        try await channel.eventLoop.submit {
            let handler = try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host)
            try channel.pipeline.syncOperations.addHandler(handler, position: .first)
        }.get()
        return try await hello()
    }

    /// AUTH PLAIN when offered, else AUTH LOGIN (RFC 4954).
    private func authenticate(_ credentials: SMTPSettings.Credentials, mechanisms: [String]) async throws {
        let step = "authentication"
        if mechanisms.contains("PLAIN") {
            let response = SMTPProtocol.plainCredentials(username: credentials.username, password: credentials.password)
            _ = try await command("AUTH PLAIN " + response, expect: [235], step: step)
        } else if mechanisms.contains("LOGIN") {
            _ = try await command("AUTH LOGIN", expect: [334], step: step)
            _ = try await command(SMTPProtocol.base64(credentials.username), expect: [334], step: step)
            _ = try await command(SMTPProtocol.base64(credentials.password), expect: [235], step: step)
        } else {
            throw MailDeliveryError(.permanent, step: step, detail: mechanisms.isEmpty
                ? "\(settings.host) offers no AUTH (it may want STARTTLS first), but SMTP_USERNAME is set"
                : "\(settings.host) offers AUTH \(mechanisms.joined(separator: " ")), and only PLAIN and LOGIN are spoken here")
        }
    }

    /// Sends a command and reads its reply, which must have one of the codes.
    private func command(_ line: String, expect codes: Set<Int>, step: String) async throws -> SMTPReply {
        try await write(line)
        return try await expect(codes, step: step)
    }

    private func expect(_ codes: Set<Int>, step: String) async throws -> SMTPReply {
        let reply: SMTPReply
        do {
            reply = try await replies.next(timeout: timeout, on: channel.eventLoop)
        } catch {
            throw SMTPTransport.classify(error, settings: settings, step: step)
        }
        guard codes.contains(reply.code) else { throw failure(reply, step: step) }
        return reply
    }

    private func failure(_ reply: SMTPReply, step: String) -> MailDeliveryError {
        MailDeliveryError(reply.isTransientFailure ? .transient : .permanent, step: step, code: reply.code, detail: "the server answered \(reply)")
    }

    private func write(_ line: String) async throws {
        try await write(Array((line + "\r\n").utf8))
    }

    private func write(_ bytes: [UInt8]) async throws {
        do {
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
        } catch {
            // The connection's own failure (a TLS handshake refused) says more than the write's.
            throw SMTPTransport.classify(replies.failure ?? error, settings: settings, step: "sending")
        }
    }

    /// QUIT politely, then close; what the server says to QUIT does not matter any more.
    func quit() async {
        try? await write("QUIT")
        _ = try? await replies.next(timeout: .seconds(2), on: channel.eventLoop)
        await close()
    }

    func close() async {
        try? await channel.close()
    }
}
