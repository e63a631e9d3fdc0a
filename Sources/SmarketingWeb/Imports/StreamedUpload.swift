import Foundation
import MultipartKit
import Vapor

/// The file part of a `multipart/form-data` upload, written to disk as it arrives, so a
/// gigabyte CSV costs a few buffers of memory instead of its size. Other parts are ignored.
struct StreamedUpload {
    /// The name the browser gave the file.
    var fileName: String
    /// How many bytes were written.
    var size: Int

    enum Problem: Error, Equatable {
        /// No part named as asked, or an empty one.
        case noFile
        /// More than the limit arrived; what was written is removed.
        case tooLarge
        /// Not multipart, or its structure is broken.
        case malformed
    }

    /// The largest upload taken by default, in bytes (2 GB).
    static let maximumSize = 2 << 30

    /// Reads the request's body and writes the part named `field` to `path`.
    static func receive(_ req: Request, field: String, to path: String, maximumSize: Int = maximumSize) async throws -> StreamedUpload {
        guard let type = req.headers.contentType, type.type == "multipart", type.subType == "form-data",
              let boundary = type.parameters["boundary"], !boundary.isEmpty
        else { throw Problem.malformed }
        guard FileManager.default.createFile(atPath: path, contents: nil), let output = FileHandle(forWritingAtPath: path) else {
            throw Abort(.internalServerError, reason: "the upload folder is not writable")
        }
        let state = PartState(field: field, output: output, maximumSize: maximumSize)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in state.header(name, value) }
        parser.onBody = { buffer in state.body(&buffer) }
        parser.onPartComplete = { state.partComplete() }
        do {
            defer { try? output.close() }
            for try await chunk in req.body {
                try parser.execute(chunk)
                if let problem = state.problem { throw problem }
            }
            guard state.finished, let name = state.fileName, state.size > 0 else { throw Problem.noFile }
            return StreamedUpload(fileName: name, size: state.size)
        } catch let problem as Problem {
            try? FileManager.default.removeItem(atPath: path)
            throw problem
        } catch is MultipartError {
            try? FileManager.default.removeItem(atPath: path)
            throw Problem.malformed
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// What the parser has seen so far; it calls back on the task that feeds it.
    private final class PartState {
        let field: String
        let output: FileHandle
        let maximumSize: Int
        var inFile = false
        var finished = false
        var fileName: String?
        var size = 0
        var problem: Problem?

        init(field: String, output: FileHandle, maximumSize: Int) {
            self.field = field
            self.output = output
            self.maximumSize = maximumSize
        }

        func header(_ name: String, _ value: String) {
            guard name.lowercased() == "content-disposition", !finished else { return }
            let parameters = Self.parameters(of: value)
            if parameters["name"] == field {
                inFile = true
                fileName = parameters["filename"] ?? "upload.csv"
            }
        }

        func body(_ buffer: inout ByteBuffer) {
            guard inFile, problem == nil else { return }
            size += buffer.readableBytes
            if size > maximumSize {
                problem = .tooLarge
                return
            }
            if let bytes = buffer.readBytes(length: buffer.readableBytes) { output.write(Data(bytes)) }
        }

        func partComplete() {
            if inFile { finished = true }
            inFile = false
        }

        /// `form-data; name="file"; filename="leads.csv"` as a dictionary.
        static func parameters(of value: String) -> [String: String] {
            var result: [String: String] = [:]
            for piece in value.split(separator: ";").dropFirst() {
                let pair = piece.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
                guard pair.count == 2 else { continue }
                var text = pair[1]
                if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 { text = String(text.dropFirst().dropLast()) }
                result[pair[0].lowercased()] = text
            }
            return result
        }
    }
}

extension Application {
    private struct ImportUploadLimitKey: StorageKey {
        typealias Value = Int
    }

    /// The largest CSV the import page takes, in bytes: ``StreamedUpload/maximumSize`` unless
    /// set (tests lower it).
    var importUploadLimit: Int {
        get { storage[ImportUploadLimitKey.self] ?? StreamedUpload.maximumSize }
        set { storage[ImportUploadLimitKey.self] = newValue }
    }
}
