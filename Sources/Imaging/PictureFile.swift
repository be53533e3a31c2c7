import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The one way pictures are opened: only regular files, no larger than ``maxBytes``, checked on the open
/// descriptor (`fstat`) before a byte is read. A FIFO, a device (`/dev/zero`, `/dev/urandom`), a directory or a
/// socket named as a picture is an error naming the file and what it is, never a hang or an endless read.
public enum PictureFile {
    /// The largest picture file read (far above any photograph; a 100-megapixel JPEG is about 40 MB).
    public static let maxBytes = 256 << 20

    /// Opens `url` for reading after checking it is a regular file of at most ``maxBytes`` bytes.
    /// Opening never blocks (a FIFO is opened non-blocking and refused).
    /// - Returns: the open handle (closed when released) and the file's size in bytes.
    /// - Throws: ``ImagingError/unreadable(file:reason:)`` saying what the path is or why it cannot be opened.
    public static func open(_ url: URL) throws -> (handle: FileHandle, size: Int) {
        let path = url.path
        let fd = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw ImagingError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ImagingError.unreadable(file: path, reason: String(cString: strerror(errno))) }
        let kind: String? =
            switch info.st_mode & S_IFMT {
            case S_IFREG: nil
            case S_IFIFO: "a named pipe (FIFO)"
            case S_IFCHR: "a character device"
            case S_IFBLK: "a block device"
            case S_IFDIR: "a directory"
            case S_IFSOCK: "a socket"
            default: "not a plain file"
            }
        if let kind { throw ImagingError.unreadable(file: path, reason: "it is \(kind), not a regular file") }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw ImagingError.unreadable(
                file: path, reason: "it is \(size) bytes, over the \(maxBytes >> 20) MiB limit for a picture file")
        }
        return (handle, size)
    }

    /// The whole file, read through ``open(_:)``'s checks (at most its size at opening).
    /// - Throws: ``ImagingError/unreadable(file:reason:)``.
    public static func read(_ url: URL) throws -> Data {
        let (handle, size) = try open(url)
        do {
            return try handle.read(upToCount: size) ?? Data()
        } catch {
            throw ImagingError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }
}
