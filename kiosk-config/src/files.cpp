// POSIX file I/O for configuration state and admin keys: explicit modes, fsync before
// rename, and the folder fsync that makes the rename itself durable.
#include "kiosk/config/files.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace kiosk::config {
namespace {

std::string os_error(const std::string& what, const std::filesystem::path& file) {
    return what + " " + file.string() + ": " + std::strerror(errno);
}

// Owns a file descriptor so every early return closes it.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    [[nodiscard]] int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::string write_fd(Fd& fd, const std::filesystem::path& file, std::string_view bytes) {
    if (!write_all(fd.get(), bytes)) {
        return os_error("cannot write", file);
    }
    if (::fsync(fd.get()) != 0) {
        return os_error("cannot flush", file);
    }
    if (::close(fd.release()) != 0) {
        return os_error("cannot close", file);
    }
    return {};
}

void sync_folder(const std::filesystem::path& file) {
    const auto folder =
        file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
    Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() >= 0) {
        ::fsync(dir.get()); // best effort: some file systems refuse fsync on folders
    }
}

} // namespace

ReadResult read_file(const std::filesystem::path& file, std::size_t max_bytes) {
    ReadResult result;
    Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        result.status = errno == ENOENT ? ReadStatus::missing : ReadStatus::failed;
        result.error = os_error("cannot open", file);
        return result;
    }
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            result.status = ReadStatus::failed;
            result.error = os_error("cannot read", file);
            result.bytes.clear();
            return result;
        }
        if (n == 0) {
            break;
        }
        if (result.bytes.size() + static_cast<std::size_t>(n) > max_bytes) {
            result.status = ReadStatus::too_large;
            result.error =
                file.string() + " is larger than " + std::to_string(max_bytes) + " bytes";
            result.bytes.clear();
            return result;
        }
        result.bytes.append(buffer, static_cast<std::size_t>(n));
    }
    result.status = ReadStatus::ok;
    return result;
}

std::string write_file_atomically(const std::filesystem::path& file, std::string_view bytes,
                                  mode_t mode) {
    // A fixed temp name is enough: one process owns a state folder, and a leftover from a
    // crash is simply truncated by the next write.
    std::filesystem::path temp = file;
    temp += ".tmp";
    Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (fd.get() < 0) {
        return os_error("cannot create", temp);
    }
    if (std::string error = write_fd(fd, temp, bytes); !error.empty()) {
        ::unlink(temp.c_str());
        return error;
    }
    if (::rename(temp.c_str(), file.c_str()) != 0) {
        std::string error = os_error("cannot rename into place", file);
        ::unlink(temp.c_str());
        return error;
    }
    sync_folder(file);
    return {};
}

std::string write_new_file(const std::filesystem::path& file, std::string_view bytes, mode_t mode) {
    Fd fd(::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
    if (fd.get() < 0) {
        return errno == EEXIST ? file.string() + " already exists; not overwriting it"
                               : os_error("cannot create", file);
    }
    // The mode passed to open() is reduced by the umask; a key must end up exactly `mode`.
    if (::fchmod(fd.get(), mode) != 0) {
        std::string error = os_error("cannot set the mode of", file);
        ::unlink(file.c_str());
        return error;
    }
    if (std::string error = write_fd(fd, file, bytes); !error.empty()) {
        ::unlink(file.c_str());
        return error;
    }
    sync_folder(file);
    return {};
}

} // namespace kiosk::config
