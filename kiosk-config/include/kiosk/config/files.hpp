// Small file helpers for configuration: reads with a size cap, and writes that are
// all-or-nothing (temp file, fsync, rename, fsync of the folder) so a power cut leaves
// either the old file or the new one, never half of each.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace kiosk::config {

enum class ReadStatus { ok, missing, too_large, failed };

struct ReadResult {
    ReadStatus status = ReadStatus::failed;
    std::string bytes;
    std::string error; // for the operator; empty when ok
};

// Reads at most `max_bytes`; a longer file is `too_large` (and not read to the end).
ReadResult read_file(const std::filesystem::path& file, std::size_t max_bytes);

// Replaces `file` atomically with `bytes`, created with `mode` (before umask). Returns an
// error message, empty on success.
std::string write_file_atomically(const std::filesystem::path& file, std::string_view bytes,
                                  mode_t mode = 0600);

// Creates `file` with `bytes` and `mode`, refusing to replace an existing file (O_EXCL):
// for private keys, which must never be overwritten by accident.
std::string write_new_file(const std::filesystem::path& file, std::string_view bytes, mode_t mode);

} // namespace kiosk::config
