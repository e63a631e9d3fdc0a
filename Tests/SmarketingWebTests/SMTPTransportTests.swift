import Foundation
import NIOCore
import NIOPosix
import SmarketingCore
@testable import SmarketingWeb
import Testing

/// A TCP server on 127.0.0.1 that accepts connections and never says a word.
final class SilentServer: Sendable {
    let channel: any Channel

    init() async throws {
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    func stop() async {
        try? await channel.close()
    }
}

func mail() throws -> MailMessage {
    try MailMessage(from: MailAddress.parse("a@acme.com", field: "from").get(), to: [MailAddress.parse("b@acme.com", field: "to").get()],
                    subject: "Hi", text: ".starts with a dot\n..two", id: UUID(), date: Date(timeIntervalSince1970: 1_796_130_309))
}

@Suite("SMTP, without a network")
struct SMTPProtocolTests {
    @Test("a multi-line reply is read whole, and its lines name the server's extensions")
    func multiLineReply() throws {
        var assembler = SMTPProtocol.ReplyAssembler()
        #expect(try assembler.take("250-mail.acme.com Hello") == nil)
        #expect(try assembler.take("250-STARTTLS") == nil)
        #expect(try assembler.take("250-AUTH=LOGIN") == nil)
        #expect(try assembler.take("250-AUTH PLAIN LOGIN") == nil)
        let reply = try #require(try assembler.take("250 8BITMIME"))
        #expect(reply.code == 250)
        #expect(reply.lines.count == 5)
        let extensions = SMTPProtocol.extensions(of: reply)
        #expect(extensions["STARTTLS"] == [])
        #expect(Set(extensions["AUTH"] ?? []) == ["PLAIN", "LOGIN"])
        #expect(try assembler.take("221") == SMTPReply(code: 221, lines: [""]))
    }

    @Test("a line that is not an SMTP reply is refused",
          arguments: ["hello", "25", "250x", "2a0 OK"])
    func malformedLine(line: String) {
        var assembler = SMTPProtocol.ReplyAssembler()
        #expect(throws: SMTPProtocol.LineError.self) { _ = try assembler.take(line) }
    }

    @Test("a reply whose lines change code midway is refused")
    func codeChangesMidway() throws {
        var assembler = SMTPProtocol.ReplyAssembler()
        _ = try assembler.take("250-first")
        #expect(throws: SMTPProtocol.LineError.self) { _ = try assembler.take("220 second") }
    }

    @Test("DATA doubles a dot that starts a line and ends with a lone dot")
    func dotStuffing() {
        let payload = SMTPProtocol.dataPayload(Array(".one\r\ntwo\r\n..three\r\n.".utf8))
        #expect(String(decoding: payload, as: UTF8.self) == "..one\r\ntwo\r\n...three\r\n..\r\n.\r\n")
    }

    @Test("AUTH PLAIN sends the user and password between NULs in base64")
    func plainCredentials() {
        #expect(SMTPProtocol.plainCredentials(username: "ana", password: "s3cret") == Data("\0ana\0s3cret".utf8).base64EncodedString())
    }
}

@Suite("The SMTP transport's failures")
struct SMTPTransportTests {
    @Test("a refused connection is a failure that may pass, naming the connection")
    func refusedConnection() async throws {
        let server = try await SilentServer()
        let port = server.port
        await server.stop()
        let transport = SMTPTransport(SMTPSettings(host: "127.0.0.1", port: port, timeoutSeconds: 2), group: MultiThreadedEventLoopGroup.singleton)
        do {
            _ = try await transport.send(mail())
            Issue.record("sent")
        } catch let error as MailDeliveryError {
            #expect(error.isTransient)
            #expect(error.step == "connection")
        }
    }

    @Test("a server that never greets times out, and the failure may pass")
    func silentServer() async throws {
        let server = try await SilentServer()
        let transport = SMTPTransport(SMTPSettings(host: "127.0.0.1", port: server.port, timeoutSeconds: 1), group: MultiThreadedEventLoopGroup.singleton)
        do {
            _ = try await transport.send(mail())
            Issue.record("sent")
        } catch let error as MailDeliveryError {
            #expect(error.isTransient)
            #expect(error.step == "greeting")
            #expect(error.detail.contains("no answer"))
        }
        await server.stop()
    }

    @Test("the outbox transport holds a message without sending it")
    func outboxTransport() async throws {
        #expect(try await OutboxOnlyTransport().send(mail()) == .held(reason: "held – not sent, outbox transport"))
    }
}
